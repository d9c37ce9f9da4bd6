package io.edgeflow.api.vault;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of a credential vault, safe to show anywhere: it holds no key and no API key.
 *
 * @param state what the vault holds
 * @param deviceId the Device ID of the stored credentials; null unless {@code state} is
 *        {@link VaultState#STORED}
 * @param expiresAt when the stored API key expires; null if it does not, or unless {@code state} is
 *        {@link VaultState#STORED}
 * @param pendingRequest true if a registration request is kept in the vault, waiting to be confirmed
 * @param reason for {@link VaultState#CORRUPT} and {@link VaultState#UNAVAILABLE}: why, in words a
 *        person can act on; otherwise null
 */
public record VaultStatus(VaultState state, String deviceId, Instant expiresAt, boolean pendingRequest,
        String reason) {

    /**
     * @param state what the vault holds
     * @param deviceId the Device ID of the stored credentials, or null
     * @param expiresAt when the stored API key expires, or null
     * @param pendingRequest true if a registration request is waiting to be confirmed
     * @param reason why the vault cannot be read, or null
     */
    public VaultStatus {
        Objects.requireNonNull(state, "state");
    }

    /**
     * @return the status of a vault that holds nothing
     */
    public static VaultStatus empty() {
        return new VaultStatus(VaultState.EMPTY, null, null, false, null);
    }

    /**
     * @param reason why the vault does not authenticate or cannot be understood
     * @return the status of a vault whose contents cannot be trusted
     */
    public static VaultStatus corrupt(String reason) {
        return new VaultStatus(VaultState.CORRUPT, null, null, false, Objects.requireNonNull(reason, "reason"));
    }

    /**
     * @param reason why the vault could not be read
     * @return the status of a vault that could not be read
     */
    public static VaultStatus unavailable(String reason) {
        return new VaultStatus(VaultState.UNAVAILABLE, null, null, false, Objects.requireNonNull(reason, "reason"));
    }
}
