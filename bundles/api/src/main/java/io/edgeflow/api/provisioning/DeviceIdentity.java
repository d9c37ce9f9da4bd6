package io.edgeflow.api.provisioning;

import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered while the device holds credentials that the cloud has confirmed and SaaS is enabled: the
 * signal for everything that needs a provisioned device (the tunnel). Re-registered when the
 * credentials change (a new code replaced them), so a static reference reactivates its component. The
 * API key itself is read from the credential vault at the moment it is needed.
 * <p>
 * Registered by the credential vault, from the mark provisioning sets there
 * ({@link io.edgeflow.api.vault.CredentialVault#markConfirmed}): updating provisioning leaves it registered.
 */
@ProviderType
public interface DeviceIdentity {
    /** Service property holding the Device ID. */
    String DEVICE_ID_PROPERTY = "edgeflow.device.id";

    /** @return the Device ID, {@code dev_...} */
    String deviceId();

    /** @return when the API key expires, or null */
    Instant credentialsExpireAt();
}
