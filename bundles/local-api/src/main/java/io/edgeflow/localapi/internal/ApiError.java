package io.edgeflow.localapi.internal;

/**
 * An error answered to a caller: an HTTP status, a stable lower-case code and a message for a person.
 * Thrown by handlers and turned into {@code {"error": "...", "message": "..."}} by {@link JsonServlet}.
 */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    ApiError(int status, String code, String message) {
        this(status, code, message, -1);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After}; negative for none */
    ApiError(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** @return seconds for a {@code Retry-After} header, or a negative number for none */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
