package dev.clearance;

import java.nio.charset.StandardCharsets;

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

  private static native String nativeExplainClaims(long store, byte[] claims, int resourceType,
      int permission, String resourceId, String tenantId);
}
