package io.edgeflow.api.provisioning;

import java.time.Duration;
import java.util.Optional;

/**
 * Provisioning failed. {@link #code()} is the stable error code ({@code code_expired},
 * {@code code_consumed}, {@code code_invalid}, {@code provisioning_in_progress}, ...); the message is
 * for a person and never holds a code or key in full.
 */
public class ProvisioningException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final boolean permanent;
    private final Duration retryAfter;

    /**
     * @param code stable, lower-case error code
     * @param message human-readable explanation
     * @param permanent true if retrying the same request cannot succeed
     */
    public ProvisioningException(String code, String message, boolean permanent) {
        this(code, message, permanent, null);
    }

    /**
     * @param code stable, lower-case error code
     * @param message human-readable explanation
     * @param permanent true if retrying the same request cannot succeed
     * @param retryAfter how long to wait before trying again, when the cloud said so ({@code rate_limited}), or
     *        null; a negative duration counts as none
     * @since 1.2
     */
    public ProvisioningException(String code, String message, boolean permanent, Duration retryAfter) {
        super(message);
        this.code = code;
        this.permanent = permanent;
        this.retryAfter = retryAfter == null || retryAfter.isNegative() ? null : retryAfter;
    }

    /** @return the error code */
    public String code() {
        return code;
    }

    /** @return true if retrying the same request cannot succeed */
    public boolean permanent() {
        return permanent;
    }

    /**
     * @return how long to wait before trying again, if the cloud said ({@code Retry-After} of a
     *         {@code rate_limited} answer); empty if it did not
     * @since 1.2
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
