package io.edgeflow.vault.internal;

/**
 * The vault file, or the key that opens it, cannot be trusted or understood. The message says why in
 * words an operator can act on and never holds key material or credentials.
 */
final class UnreadableVaultException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a vault cannot be opened; each maps to one region or precondition of the format. */
    enum Problem {
        /** The file ends before its header, or before the length its header declares. */
        TRUNCATED,
        /** The file does not start with the vault's magic bytes: it is not a vault file. */
        FOREIGN_FORMAT,
        /** The file is a vault in a format version this agent does not read. */
        UNSUPPORTED_VERSION,
        /** The header sets flags that format version 1 does not define. */
        UNSUPPORTED_FLAGS,
        /** The file is longer than its header declares. */
        TRAILING_DATA,
        /** A length or field is impossible, or the decrypted contents are malformed. */
        MALFORMED,
        /** The file was written with another key file. */
        WRONG_KEY,
        /** The file was written with this key file but another machine identity. */
        WRONG_MACHINE,
        /** The header matches this key and machine, but the contents do not authenticate. */
        AUTHENTICATION_FAILED,
        /** The key file is missing while a vault exists. */
        KEY_MISSING,
        /** The key file does not hold a key of the right size. */
        KEY_INVALID
    }

    private final Problem problem;

    UnreadableVaultException(Problem problem, String message) {
        super(message, null, false, false);
        this.problem = problem;
    }

    Problem problem() {
        return problem;
    }
}
