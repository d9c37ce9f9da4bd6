package io.edgeflow.http.json;

/**
 * An error answered to a caller: an HTTP status, a stable lower-case code and a message for a person.
 * Thrown by handlers and turned into {@code {"error": "...", "message": "..."}} by {@link JsonServlet}.
 */
public final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    /**
     * @param status HTTP status
     * @param code stable lower-case code
     * @param message for a person; never a secret
     */
    public ApiError(int status, String code, String message) {
        this(status, code, message, -1);
    }

    /**
     * @param status HTTP status
     * @param code stable lower-case code
     * @param message for a person; never a secret
     * @param retryAfterSeconds sent as {@code Retry-After}; negative for none
     */
    public ApiError(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** @return seconds for a {@code Retry-After} header, or a negative number for none */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the stable lower-case code */
    public String code() {
        return code;
    }
}
