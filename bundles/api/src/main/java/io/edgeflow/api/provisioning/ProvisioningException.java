package io.edgeflow.api.provisioning;

/**
 * Provisioning failed. {@link #code()} is the stable error code ({@code code_expired},
 * {@code code_consumed}, {@code code_invalid}, {@code provisioning_in_progress}, ...); the message is
 * for a person and never holds a code or key in full.
 */
public class ProvisioningException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final boolean permanent;

    /**
     * @param code stable, lower-case error code
     * @param message human-readable explanation
     * @param permanent true if retrying the same request cannot succeed
     */
    public ProvisioningException(String code, String message, boolean permanent) {
        super(message);
        this.code = code;
        this.permanent = permanent;
    }

    /** @return the error code */
    public String code() {
        return code;
    }

    /** @return true if retrying the same request cannot succeed */
    public boolean permanent() {
        return permanent;
    }
}
