package io.edgeflow.api.provisioning;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of a rotation of the device's API key ({@link ProvisioningService#rotateKey()}). Holds no key: the
 * new key went into the credential vault and is never shown.
 *
 * @param deviceId the device
 * @param expiresAt when the new key expires, or null if the cloud did not say
 * @param previousKeyValidUntil until when the cloud accepts the previous key, or null once the new key is
 *        confirmed (the confirmation ends the previous key at once)
 * @param confirmed true if the cloud confirmed the new key; false if the confirmation is still being retried
 *        (the new key works already; the previous one until {@code previousKeyValidUntil})
 * @since 1.4
 */
public record RotatedKey(String deviceId, Instant expiresAt, Instant previousKeyValidUntil, boolean confirmed) {
    /**
     * @param deviceId the device
     * @param expiresAt when the new key expires, or null
     * @param previousKeyValidUntil until when the previous key is accepted, or null
     * @param confirmed true if the cloud confirmed the new key
     */
    public RotatedKey {
        Objects.requireNonNull(deviceId, "deviceId");
    }
}
