package io.edgeflow.provisioning.internal;

import java.time.Duration;

import io.edgeflow.api.provisioning.ProvisioningException;

/**
 * A call to the cloud failed. {@link #code()} is the cloud's error code ({@code code_expired}) or one of the
 * agent's for failures without an answer ({@code cloud_unreachable}, {@code cloud_timeout}, ...).
 * Transient failures are retried with backoff; permanent ones stop until the settings change. Messages
 * never hold a code or key in full (the cloud's do not either).
 */
final class CloudCallException extends Exception {
    /** No connection: DNS, refused, reset, the proxy, TLS. */
    static final String UNREACHABLE = "cloud_unreachable";
    /** No answer in time. */
    static final String TIMEOUT = "cloud_timeout";
    /** The cloud answered 5xx. */
    static final String SERVER_ERROR = "cloud_error";
    /** The cloud's certificate or host name did not verify. */
    static final String TLS_ERROR = "tls_error";
    /** The proxy refused the tunnel (407, or 401 from some proxies: bad credentials; 403; ...). */
    static final String PROXY_ERROR = "proxy_error";
    /** An answer that is not the protocol's. */
    static final String PROTOCOL_ERROR = "cloud_protocol_error";

    private static final long serialVersionUID = 1L;
    private final String code;
    private final boolean permanent;
    private final int httpStatus;
    private final transient Duration retryAfter;

    CloudCallException(String code, String message, boolean permanent, int httpStatus, Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.permanent = permanent;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    static CloudCallException transientFailure(String code, String message) {
        return new CloudCallException(code, message, false, 0, null);
    }

    String code() {
        return code;
    }

    boolean permanent() {
        return permanent;
    }

    /** @return the HTTP status of the cloud's answer, 0 without one */
    int httpStatus() {
        return httpStatus;
    }

    /** @return the cloud's Retry-After, or null */
    Duration retryAfter() {
        return retryAfter;
    }

    /** @return true for the cloud's refusals of a code: it can never provision with it */
    boolean refusesCode() {
        return permanent && code.startsWith("code_");
    }

    ProvisioningException toProvisioningException() {
        return new ProvisioningException(code, getMessage(), permanent, retryAfter);
    }
}
