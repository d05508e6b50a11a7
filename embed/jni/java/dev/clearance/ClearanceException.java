package dev.clearance;

/** A call into Clearance failed. {@link #code()} is the C API's clearance_status number. */
public final class ClearanceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int code;

  public ClearanceException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** The status code (3 INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 9 FAILED_PRECONDITION, ...). */
  public int code() {
    return code;
  }
}
