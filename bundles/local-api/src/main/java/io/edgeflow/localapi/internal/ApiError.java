package io.edgeflow.localapi.internal;

/**
 * An error answered to a caller: an HTTP status, a stable lower-case code and a message for a person.
 * Thrown by handlers and turned into {@code {"error": "...", "message": "..."}} by {@link JsonServlet}.
 */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
