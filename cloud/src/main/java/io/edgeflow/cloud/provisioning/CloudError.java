package io.edgeflow.cloud.provisioning;

/**
 * An answer that is not a success: an HTTP status, a stable lower-case code ({@code code_expired}) and
 * a message for a person. Messages never hold a code or key in full.
 */
public final class CloudError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    /**
     * @param status HTTP status
     * @param code stable error code
     * @param message explanation for a person
     */
    public CloudError(int status, String code, String message) {
        this(status, code, message, 0);
    }

    /**
     * @param status HTTP status
     * @param code stable error code
     * @param message explanation for a person
     * @param retryAfterSeconds seconds for a {@code Retry-After} header, or 0 for none
     */
    public CloudError(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * @param field the JSON field that was wrong
     * @param problem what was wrong with it
     * @return a 400 {@code invalid_request} naming the field
     */
    public static CloudError invalidRequest(String field, String problem) {
        return new CloudError(400, "invalid_request", "Field '" + field + "': " + problem);
    }

    /**
     * @param message why the credentials were refused
     * @return a 401 {@code invalid_credentials}
     */
    public static CloudError invalidCredentials(String message) {
        return new CloudError(401, "invalid_credentials", message);
    }

    /** @return HTTP status */
    public int status() {
        return status;
    }

    /** @return stable error code */
    public String code() {
        return code;
    }

    /** @return seconds for {@code Retry-After}, or 0 */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
