// The JVM binding end to end: open a store, apply records, check from several Java threads
// while a writer grants, explanations and errors, and the token cases the C++ and C tests answer
// too (tests/embed/token_parity.h; the directory is the system property clearance.token.cases).
// Exit status 0 on success.
// With the argument "bench" it instead measures JNI checks (bench/RESULTS-embed.md).
import dev.clearance.Clearance;
import dev.clearance.ClearanceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

public final class ClearanceJavaTest {
  private static int failures = 0;

  private static void expect(boolean condition, String what) {
    if (!condition) {
      failures++;
      System.err.println("FAILED: " + what);
    }
  }

  private static String grant(long position, String client) {
    return "{\"position\":" + position + ",\"valueType\":\"AUTHORIZATION\",\"intent\":\"CREATED\","
        + "\"recordType\":\"EVENT\",\"value\":{\"ownerType\":\"CLIENT\",\"ownerId\":\"" + client
        + "\",\"resourceType\":\"PROCESS_DEFINITION\",\"resourceMatcher\":\"ID\","
        + "\"resourceId\":\"order-process\",\"permissionTypes\":[\"CREATE_PROCESS_INSTANCE\"]}}";
  }

  private static void deleteTree(Path dir) throws Exception {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("clearance-java-");
    try {
      if (args.length > 0 && args[0].equals("bench")) {
        bench(dir);
      } else {
        test(dir);
        tokens(dir);
      }
    } finally {
      deleteTree(dir);
    }
    if (failures > 0) {
      System.err.println(failures + " failure(s)");
      System.exit(1);
    }
    System.out.println("OK");
  }

  private static Clearance openConfigured(Path dir) {
    Clearance c = Clearance.open(dir.resolve("db").toString(), Clearance.OPEN_NO_SYNC);
    c.configure("{\"client_id_claim\":\"azp\"}");
    c.initialize();
    return c;
  }

  private static void test(Path dir) throws Exception {
    expect(Clearance.apiVersion() / 10000 == 1, "api major version 1");
    final int type = Clearance.resourceType("PROCESS_DEFINITION");
    final int perm = Clearance.permission("CREATE_PROCESS_INSTANCE");
    final Clearance c = openConfigured(dir);

    expect(c.applyRecord(grant(1, "client-0")) == Clearance.APPLIED, "first grant applied");
    expect(c.applyRecord(grant(1, "client-0")) == Clearance.SKIPPED_POSITION, "replay skipped");
    expect(c.appliedPosition() == 1, "applied position 1");
    int d = c.checkClaims("{\"azp\":\"client-0\"}", type, perm, "order-process", null);
    expect(Clearance.outcome(d) == Clearance.ALLOW, "client-0 allowed: " + Clearance.outcomeName(d));
    expect(Clearance.reasonName(d).equals("GRANTED"), "reason GRANTED");
    d = c.checkClaims("{\"azp\":\"nobody\"}", type, perm, "order-process", null);
    expect(Clearance.outcome(d) == Clearance.FORBIDDEN, "nobody forbidden");

    // Errors are exceptions with the C API's code and message.
    try {
      c.applyRecord("{\"position\":2,\"valueType\":\"GROUP\",\"intent\":\"CREATED\",\"value\":{}}");
      expect(false, "malformed record refused");
    } catch (ClearanceException e) {
      expect(e.code() == 3 && e.getMessage().contains("position 2"), "malformed: " + e.getMessage());
    }
    try {
      c.applyRecord(grant(3, "client-0"));
      expect(false, "duplicate grant refused");
    } catch (ClearanceException e) {
      expect(e.code() == 6, "duplicate: ALREADY_EXISTS, got " + e.code());
    }
    try {
      Clearance.permission("NOPE");
      expect(false, "unknown permission refused");
    } catch (ClearanceException e) {
      expect(e.code() == 3, "unknown permission: INVALID_ARGUMENT");
    }
    long[] stats = c.ingest(grant(4, "client-a") + "\n"
        + "{\"position\":5,\"valueType\":\"JOB\",\"intent\":\"CREATED\",\"value\":{}}\n");
    expect(stats[1] == 1 && stats[4] == 1, "ingest stats applied 1, other value types 1");

    String explanation = c.explainClaims("{\"azp\":\"client-a\"}", type, perm, "order-process", null);
    expect(explanation.contains("\"decision\":\"ALLOW\""), "explain: " + explanation);

    // Several threads check through principals and claims while this thread grants clients.
    final int clients = 30;
    final AtomicBoolean done = new AtomicBoolean(false);
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger checks = new AtomicInteger();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread reader = new Thread(() -> {
        boolean[] seen = new boolean[clients];
        while (!done.get()) {
          for (int i = 0; i < clients; i++) {
            String claims = "{\"azp\":\"client-" + (100 + i) + "\"}";
            // A principal answers for the generation it was resolved in, so only a grant seen
            // before resolving binds it; a grant landing after it binds the later claims check.
            boolean seenBeforeResolve = seen[i];
            try (Clearance.Principal p = c.resolveClaims(claims)) {
              int viaClaims = c.checkClaims(claims, type, perm, "order-process", null);
              int viaPrincipal = p.check(type, perm, "order-process", null);
              int[] batch = p.checkBatch(type, perm, new String[] {"order-process", "other"});
              boolean allowed = Clearance.outcome(viaClaims) == Clearance.ALLOW;
              if (seen[i] && !allowed) errors.incrementAndGet();
              if (allowed) seen[i] = true;
              if (seenBeforeResolve && Clearance.outcome(viaPrincipal) != Clearance.ALLOW) {
                errors.incrementAndGet();
              }
              if (Clearance.outcome(viaPrincipal) == Clearance.ALLOW && !allowed) errors.incrementAndGet();
              if (Clearance.outcome(batch[1]) != Clearance.FORBIDDEN) errors.incrementAndGet();
              if (Clearance.outcome(batch[0]) != Clearance.outcome(viaPrincipal)) errors.incrementAndGet();
              checks.incrementAndGet();
            } catch (RuntimeException e) {
              errors.incrementAndGet();
            }
          }
        }
      });
      reader.start();
      readers.add(reader);
    }
    for (int i = 0; i < clients; i++) {
      c.applyRecord(grant(100 + i, "client-" + (100 + i)));
    }
    done.set(true);
    for (Thread r : readers) r.join();
    expect(errors.get() == 0, "concurrent checks consistent; errors " + errors.get());
    expect(checks.get() > 0, "readers checked");
    for (int i = 0; i < clients; i++) {
      int decision = c.checkClaims("{\"azp\":\"client-" + (100 + i) + "\"}", type, perm,
          "order-process", null);
      expect(Clearance.outcome(decision) == Clearance.ALLOW, "client " + (100 + i) + " allowed");
    }

    Clearance.Principal stale = c.resolveClaims("{\"azp\":\"client-0\"}");
    expect(stale.isCurrent(), "fresh principal is current");
    c.applyRecord(grant(1000, "late"));
    expect(!stale.isCurrent(), "principal stale after a change");
    stale.close();

    c.close();
    c.close();
    try {
      c.checkClaims("{}", type, perm, "x", null);
      expect(false, "closed store refused");
    } catch (ClearanceException e) {
      expect(e.code() == 9, "closed store: FAILED_PRECONDITION");
    }
    // Reopen: what was applied is durable.
    try (Clearance again = Clearance.open(dir.resolve("db").toString(), Clearance.OPEN_MUST_EXIST)) {
      expect(again.appliedPosition() == 1000, "reopened at position 1000");
    }
  }

  // The shared token cases: reason, principal type, id, groups, issuer and exp in the case file's
  // form, the same form the C++ and C tests compare.
  private static void tokens(Path dir) throws Exception {
    String casesDir = System.getProperty("clearance.token.cases");
    expect(casesDir != null, "clearance.token.cases is set");
    if (casesDir == null) return;
    long now = 0;
    String audience = null;
    List<String[]> issuers = new ArrayList<>();
    List<String[]> cases = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(casesDir, "cases.tsv"), StandardCharsets.UTF_8)) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "now": now = Long.parseLong(f[1]); break;
        case "audience": audience = f[1]; break;
        case "issuer": issuers.add(f); break;
        case "case": cases.add(f); break;
        default: expect(false, "cases.tsv: unexpected line " + line);
      }
    }
    expect(now != 0 && !issuers.isEmpty() && !cases.isEmpty(), "cases.tsv is complete");
    StringBuilder config = new StringBuilder("{\"token_issuers\":[");
    for (int i = 0; i < issuers.size(); i++) {
      String[] f = issuers.get(i);
      config.append(i > 0 ? "," : "")
          .append("{\"issuer\":\"").append(f[1])
          .append("\",\"jwks_file\":\"").append(casesDir).append('/').append(f[2])
          .append("\",\"audiences\":[\"").append(audience)
          .append("\"],\"algorithms\":[\"").append(String.join("\",\"", f[3].split(",")))
          .append("\"],\"overrides\":{\"username_claim\":\"").append(f[4])
          .append("\",\"client_id_claim\":\"").append(f[5])
          .append("\",\"groups_claim\":\"").append(f[6].equals("-") ? "" : f[6])
          .append("\",\"prefer_username_claim\":").append(f[7]).append("}}");
    }
    config.append("]}");

    Clearance store = Clearance.open(dir.resolve("tokens").toString(), Clearance.OPEN_NO_SYNC);
    try {
      store.verifier();
      expect(false, "a verifier for a store without issuers refused");
    } catch (ClearanceException e) {
      expect(e.code() == 9, "no issuers: FAILED_PRECONDITION, got " + e.code());
    }
    store.configure(config.toString());
    Clearance.Authentication first = null;
    try (Clearance.Verifier verifier = store.verifier()) {
      verifier.setTime(now);
      for (String[] c : cases) {
        Clearance.Authentication a = verifier.authenticate(c[2]);
        if (first == null) first = a;
        String expected = String.join(" ", java.util.Arrays.copyOfRange(c, 3, 9));
        String actual = a.authenticated()
            ? String.join(" ", a.reason(), a.principalType(), a.principalId(),
                a.groups() == null ? "-" : "[" + String.join(",", a.groups()) + "]", a.issuer(),
                a.expiry().isPresent() ? Long.toString(a.expiry().getAsLong()) : "-")
            : a.reason() + " - - - - -";
        expect(actual.equals(expected), c[1] + ": expected " + expected + ", got " + actual
            + " (" + a.message() + ")");
        expect(a.authenticated() == (a.message() == null), c[1] + ": message only on refusal");
        expect(a.authenticated() == (a.claimsJson() != null), c[1] + ": claims only when authenticated");
      }
      // The minted tokens expired long before the wall clock's now.
      verifier.setTime(Clearance.Verifier.SYSTEM_TIME);
      expect(verifier.authenticate(cases.get(0)[2]).reason().equals("expired"),
          "wall clock: the minted token is expired");
      try {
        verifier.authenticate(null);
        expect(false, "a null token refused");
      } catch (ClearanceException e) {
        expect(e.code() == 3, "null token: INVALID_ARGUMENT, got " + e.code());
      }
      verifier.close();
      verifier.close();
      try {
        verifier.authenticate(cases.get(0)[2]);
        expect(false, "a closed verifier refused");
      } catch (ClearanceException e) {
        expect(e.code() == 9, "closed verifier: FAILED_PRECONDITION, got " + e.code());
      }
    }
    if (first != null && first.groups() != null) {
      try {
        first.groups().add("x");
        expect(false, "groups are unmodifiable");
      } catch (UnsupportedOperationException expected) {
        // immutable, as documented
      }
    }
    try {
      store.verifier("{\"issuers\":[{}]}");
      expect(false, "a bad verifier configuration refused");
    } catch (ClearanceException e) {
      expect(e.code() == 3 && e.getMessage().contains("issuer"), "bad configuration: " + e.getMessage());
    }
    try {
      store.verifier(null);
      expect(false, "a null verifier configuration refused");
    } catch (ClearanceException e) {
      expect(e.code() == 3, "null configuration: INVALID_ARGUMENT");
    }
    // A verifier from JSON still reads the store's claim rules: the stored overrides of the
    // token's issuer (prefer preferred_username) name the user, not the client.
    String kcIssuer = issuers.get(0)[1];
    try (Clearance.Verifier json = store.verifier("{\"issuers\":[{\"issuer\":\"" + kcIssuer
        + "\",\"audiences\":[\"" + audience + "\"],\"algorithms\":[\"RS256\"],\"jwks_file\":\""
        + casesDir + "/" + issuers.get(0)[2] + "\"}]}")) {
      json.setTime(now);
      Clearance.Authentication a = json.authenticate(cases.get(0)[2]);
      expect(a.authenticated() && a.principalId().equals("alice"),
          "JSON verifier, the issuer's stored overrides: " + a);
      store.close();
      try {
        json.authenticate(cases.get(0)[2]);
        expect(false, "a closed store refused");
      } catch (ClearanceException e) {
        expect(e.code() == 9, "closed store: FAILED_PRECONDITION, got " + e.code());
      }
    }
  }

  // JNI check cost, measured from Java: ns per call for the principal path and the claims path.
  private static void bench(Path dir) {
    final int type = Clearance.resourceType("PROCESS_DEFINITION");
    final int perm = Clearance.permission("CREATE_PROCESS_INSTANCE");
    try (Clearance c = openConfigured(dir)) {
      c.applyRecord(grant(1, "client-0"));
      String claims = "{\"azp\":\"client-0\",\"sub\":\"someone\",\"groups\":[\"a\",\"b\"]}";
      try (Clearance.Principal p = c.resolveClaims(claims)) {
        for (int round = 0; round < 3; round++) {
          int n = 2_000_000;
          int sink = 0;
          long start = System.nanoTime();
          for (int i = 0; i < n; i++) sink += p.check(type, perm, "order-process", null);
          long principalNs = System.nanoTime() - start;
          int m = 1_000_000;
          start = System.nanoTime();
          for (int i = 0; i < m; i++) sink += c.checkClaims(claims, type, perm, "order-process", null);
          long claimsNs = System.nanoTime() - start;
          System.out.printf("round %d: JNI check(principal) %.1f ns/op, JNI checkClaims %.1f ns/op (sink %d)%n",
              round, (double) principalNs / n, (double) claimsNs / m, sink);
        }
      }
    }
  }
}
