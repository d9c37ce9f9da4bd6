package io.edgeflow.api.vault;

/**
 * The vault could not do what was asked. {@link #code()} is stable and lower-case
 * ({@code credentials_unreadable}, {@code vault_io_error}); the message never holds a secret.
 */
public class VaultException extends Exception {
    /** The vault exists but does not authenticate or cannot be understood; see the message for why. */
    public static final String CREDENTIALS_UNREADABLE = "credentials_unreadable";
    /** The vault could not be read or written because of an I/O error (permissions, disk). */
    public static final String VAULT_IO_ERROR = "vault_io_error";
    /** A value handed to the vault cannot be stored (empty, too long, control characters). */
    public static final String INVALID_CREDENTIALS = "invalid_credentials";

    private static final long serialVersionUID = 1L;
    private final String code;

    /**
     * @param code stable, lower-case error code
     * @param message human-readable explanation, without secrets
     */
    public VaultException(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * @param code stable, lower-case error code
     * @param message human-readable explanation, without secrets
     * @param cause the underlying failure
     */
    public VaultException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** @return the error code */
    public String code() {
        return code;
    }
}
