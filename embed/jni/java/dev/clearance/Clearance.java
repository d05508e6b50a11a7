package dev.clearance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * A Clearance store and its engine, through the C API (embed/include/clearance/c.h).
 *
 * <p>Thread-safety mirrors the C API: checks, resolves and explanations may run on any number of
 * threads at once and beside the writers; writers (configure, initialize, applyRecord, ingest)
 * are serialized internally. {@link #close()} must not run concurrently with any other call.
 *
 * <p>Decisions are returned as one int: {@code outcome << 8 | reason} (see {@link #outcome(int)},
 * {@link #reason(int)}, {@link #outcomeName(int)}), so the check path allocates nothing.
 *
 * <p>The native library {@code clearance_jni} is loaded from {@code java.library.path}, or from
 * the file named by the system property {@code clearance.jni.library} when set.
 */
public final class Clearance implements AutoCloseable {
  static {
    String path = System.getProperty("clearance.jni.library");
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("clearance_jni");
    }
  }

  public static final int OPEN_NO_SYNC = 1;
  public static final int OPEN_MUST_EXIST = 2;

  public static final int ALLOW = 0;
  public static final int FORBIDDEN = 1;
  public static final int NOT_FOUND = 2;
  public static final int UNAUTHENTICATED = 3;

  public static final int APPLIED = 0;
  public static final int REFUSED = 1;
  public static final int SKIPPED_POSITION = 2;
  public static final int SKIPPED_VALUE_TYPE = 3;
  public static final int SKIPPED_INTENT = 4;

  private long store;  // clearance_store*, 0 once freed

  private Clearance(long store) {
    this.store = store;
  }

  /** Opens (or creates) the store at {@code path}. */
  public static Clearance open(String path, int flags) {
    return new Clearance(nativeOpen(path, flags));
  }

  /** CLEARANCE_C_API_VERSION of the loaded library. */
  public static native int apiVersion();

  public static native String version();

  /** The number of a resource type name ("PROCESS_DEFINITION"). */
  public static native int resourceType(String name);

  /** The number of a permission name ("CREATE_PROCESS_INSTANCE"). */
  public static native int permission(String name);

  public static int outcome(int decision) {
    return decision >>> 8;
  }

  public static int reason(int decision) {
    return decision & 0xff;
  }

  public static native String outcomeName(int decision);

  public static native String reasonName(int decision);

  /** Replaces the configuration (the JSON object of c.h's clearance_store_configure). */
  public void configure(String json) {
    nativeConfigure(handle(), utf8(json));
  }

  public void initialize() {
    nativeInitialize(handle());
  }

  /**
   * Applies one Zeebe-shaped identity record. Returns APPLIED or a SKIPPED_* outcome; a refusal
   * throws with the planner's code.
   */
  public int applyRecord(String json) {
    return nativeApplyRecord(handle(), utf8(json));
  }

  /**
   * Applies newline-delimited records. Returns {records, applied, refused, skippedPosition,
   * skippedValueType, skippedIntent}.
   */
  public long[] ingest(String ndjson) {
    return nativeIngest(handle(), utf8(ndjson));
  }

  /** The last applied log position, or -1 when no record carried one. */
  public long appliedPosition() {
    return nativeAppliedPosition(handle());
  }

  /** The decision for verified claims (a JSON object). */
  public int checkClaims(String claimsJson, int resourceType, int permission, String resourceId,
      String tenantId) {
    return nativeCheckClaims(handle(), utf8(claimsJson), resourceType, permission, resourceId,
        tenantId);
  }

  /** Resolves verified claims once for many checks; close the principal when done. */
  public Principal resolveClaims(String claimsJson) {
    return new Principal(this, nativeResolveClaims(handle(), utf8(claimsJson)));
  }

  /** The explanation of a check as JSON (c.h's clearance_explain_claims). */
  public String explainClaims(String claimsJson, int resourceType, int permission,
      String resourceId, String tenantId) {
    return nativeExplainClaims(handle(), utf8(claimsJson), resourceType, permission, resourceId,
        tenantId);
  }

  /**
   * A token verifier for the token issuers stored in this store's configuration (c.h's
   * clearance_verifier_create_for_store); its authentications read this store's claim rules.
   * Close it when done.
   */
  public Verifier verifier() {
    return new Verifier(this, nativeVerifierForStore(handle()));
  }

  /**
   * A token verifier from a JSON configuration (the object of c.h's clearance_verifier_create:
   * issuers, keys, limits); its authentications read this store's claim rules. Close it when
   * done.
   */
  public Verifier verifier(String json) {
    byte[] bytes = utf8(json);
    handle();
    return new Verifier(this, nativeVerifierCreate(bytes));
  }

  /** Closes the store; later calls throw (FAILED_PRECONDITION). Idempotent. */
  @Override
  public synchronized void close() {
    if (store != 0) {
      nativeFree(store);
      store = 0;
    }
  }

  long handle() {
    long h = store;
    if (h == 0) {
      throw new ClearanceException(9, "store: is closed; open it again");
    }
    return h;
  }

  private static byte[] utf8(String s) {
    if (s == null) {
      throw new ClearanceException(3, "argument: is null; expected a string");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A resolved caller: the fast path for many checks of one caller. Any number of threads may
   * check through one principal at once; {@link #close()} must not run while any of them does.
   */
  public static final class Principal implements AutoCloseable {
    private final Clearance owner;
    private long principal;

    private Principal(Clearance owner, long principal) {
      this.owner = owner;
      this.principal = principal;
    }

    public int check(int resourceType, int permission, String resourceId, String tenantId) {
      return nativeCheckPrincipal(owner.handle(), handle(), resourceType, permission, resourceId,
          tenantId);
    }

    /** One decision per resource id, all against the principal's generation. */
    public int[] checkBatch(int resourceType, int permission, String[] resourceIds) {
      return nativeCheckBatch(owner.handle(), handle(), resourceType, permission, resourceIds);
    }

    public boolean isCurrent() {
      return nativeIsCurrent(owner.handle(), handle());
    }

    @Override
    public synchronized void close() {
      if (principal != 0) {
        nativePrincipalFree(principal);
        principal = 0;
      }
    }

    private long handle() {
      long h = principal;
      if (h == 0) {
        throw new ClearanceException(9, "principal: is closed");
      }
      return h;
    }
  }

  /**
   * Verifies bearer tokens and names the principal they authenticate, with the claim rules
   * (username, client id and groups claims, prefer-username, each issuer's overrides) of the
   * store it was created from. Any number of threads may authenticate through one verifier at
   * once; {@link #close()} must not run while any of them does.
   */
  public static final class Verifier implements AutoCloseable {
    /** The value of {@link #setTime(long)} that returns the verifier to the wall clock. */
    public static final long SYSTEM_TIME = Long.MIN_VALUE;

    private final Clearance owner;
    private long verifier;  // clearance_verifier*, 0 once freed

    private Verifier(Clearance owner, long verifier) {
      this.owner = owner;
      this.verifier = verifier;
    }

    /**
     * Fixes "now" (exp, nbf, iat and cache expiry) at {@code unixSeconds}, for tests that replay
     * tokens minted at a known time; {@link #SYSTEM_TIME} returns to the wall clock.
     */
    public void setTime(long unixSeconds) {
      nativeVerifierSetTime(handle(), unixSeconds);
    }

    /**
     * Who {@code token} authenticates, or why it does not. A refused token is a result with a
     * reason, not an exception; a closed verifier or store or a null token throws.
     */
    public Authentication authenticate(String token) {
      byte[] bytes = utf8(token);
      return Authentication.of(nativeAuthenticate(owner.handle(), handle(), bytes));
    }

    @Override
    public synchronized void close() {
      if (verifier != 0) {
        nativeVerifierFree(verifier);
        verifier = 0;
      }
    }

    private long handle() {
      long h = verifier;
      if (h == 0) {
        throw new ClearanceException(9, "verifier: is closed");
      }
      return h;
    }
  }

  /**
   * The answer of {@link Verifier#authenticate(String)}: the principal the token establishes, or
   * the reason it establishes none. Immutable.
   */
  public static final class Authentication {
    private final String reason;
    private final String principalType;
    private final String principalId;
    private final List<String> groups;
    private final String issuer;
    private final OptionalLong expiry;
    private final String message;
    private final String claimsJson;

    private Authentication(String[] f) {
      reason = f[0];
      principalType = f[1];
      principalId = f[2];
      issuer = f[3];
      expiry = f[4] == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[4]));
      message = f[5];
      claimsJson = f[6];
      groups = f[7] == null ? null
          : Collections.unmodifiableList(Arrays.asList(Arrays.copyOfRange(f, 8, f.length)));
    }

    // The native layout: reason, type, id, issuer, exp, message, claims, groups flag, groups...
    static Authentication of(String[] fields) {
      return new Authentication(fields);
    }

    /** True when the token verified and named a principal (reason "ok"). */
    public boolean authenticated() {
      return reason.equals("ok");
    }

    /**
     * "ok", a token refusal ("expired", "bad_signature", "malformed", ...), or a principal
     * refusal ("no_principal", "claim_wrong_type", "malformed_claims"): the C API's names.
     */
    public String reason() {
      return reason;
    }

    /** "USER" or "CLIENT" when authenticated, else null. */
    public String principalType() {
      return principalType;
    }

    /** The username or client id when authenticated, else null. */
    public String principalId() {
      return principalId;
    }

    /**
     * The groups claim's values in token order (a repeated group once), unmodifiable; null when
     * not authenticated or when no groups claim applies to the token's issuer.
     */
    public List<String> groups() {
      return groups;
    }

    /** The verified {@code iss} when authenticated, else null. */
    public String issuer() {
      return issuer;
    }

    /** The token's {@code exp} in seconds since the epoch, when authenticated and present. */
    public OptionalLong expiry() {
      return expiry;
    }

    /** Why, naming the claim, when not authenticated; null when authenticated. */
    public String message() {
      return message;
    }

    /** The verified payload exactly as signed (a JSON object) when authenticated, else null. */
    public String claimsJson() {
      return claimsJson;
    }

    @Override
    public String toString() {
      return authenticated()
          ? principalType + " " + principalId + " groups=" + groups + " iss=" + issuer + " exp="
              + expiry
          : reason + ": " + message;
    }
  }

  private static native long nativeOpen(String path, int flags);

  private static native void nativeFree(long store);

  private static native void nativeConfigure(long store, byte[] json);

  private static native void nativeInitialize(long store);

  private static native int nativeApplyRecord(long store, byte[] json);

  private static native long[] nativeIngest(long store, byte[] ndjson);

  private static native long nativeAppliedPosition(long store);

  private static native int nativeCheckClaims(long store, byte[] claims, int resourceType,
      int permission, String resourceId, String tenantId);

  private static native long nativeResolveClaims(long store, byte[] claims);

  private static native void nativePrincipalFree(long principal);

  private static native int nativeCheckPrincipal(long store, long principal, int resourceType,
      int permission, String resourceId, String tenantId);

  private static native int[] nativeCheckBatch(long store, long principal, int resourceType,
      int permission, String[] resourceIds);

  private static native boolean nativeIsCurrent(long store, long principal);

  private static native long nativeVerifierCreate(byte[] json);

  private static native long nativeVerifierForStore(long store);

  private static native void nativeVerifierFree(long verifier);

  private static native void nativeVerifierSetTime(long verifier, long unixSeconds);

  private static native String[] nativeAuthenticate(long store, long verifier, byte[] token);

  private static native String nativeExplainClaims(long store, byte[] claims, int resourceType,
      int permission, String resourceId, String tenantId);
}
