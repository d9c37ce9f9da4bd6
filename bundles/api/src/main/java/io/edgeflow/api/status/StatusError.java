package io.edgeflow.api.status;

import java.time.Instant;
import java.util.Objects;

/**
 * An error that a program can read ({@code code}, a stable lower-case identifier such as
 * {@code code_expired}) with a message for a person beside it, and since when it holds. Neither text
 * may contain a secret.
 *
 * @param code stable, lower-case error code
 * @param message human-readable explanation
 * @param since when the error was first seen (by the agent's clock), or null
 */
public record StatusError(String code, String message, Instant since) {
    /**
     * @param code stable, lower-case error code
     * @param message human-readable explanation
     * @param since when the error was first seen, or null
     */
    public StatusError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /**
     * An error without a time.
     *
     * @param code stable, lower-case error code
     * @param message human-readable explanation
     */
    public StatusError(String code, String message) {
        this(code, message, null);
    }
}
