package io.edgeflow.tunnel.internal;

/**
 * A request from the cloud could not be carried out on the local API. {@link #code()} goes back to the
 * cloud in an {@code error} frame: {@code local_api_unavailable}, {@code local_timeout},
 * {@code response_too_large}.
 */
final class LocalApiException extends Exception {
    /** The local API is not running or cannot be reached. */
    static final String UNAVAILABLE = "local_api_unavailable";
    /** The local API did not answer in time. */
    static final String TIMEOUT = "local_timeout";
    /** The answer is larger than the body limit. */
    static final String RESPONSE_TOO_LARGE = "response_too_large";

    private static final long serialVersionUID = 1L;
    private final String code;

    LocalApiException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    String code() {
        return code;
    }
}
