package io.edgeflow.api.status;

import java.util.Objects;

/**
 * An error that a program can read ({@code code}, a stable lower-case identifier such as
 * {@code code_expired}) with a message for a person beside it. Neither may contain a secret.
 *
 * @param code stable, lower-case error code
 * @param message human-readable explanation
 */
public record StatusError(String code, String message) {
    /**
     * @param code stable, lower-case error code
     * @param message human-readable explanation
     */
    public StatusError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
