package io.edgeflow.api.provisioning;

import io.edgeflow.api.vault.DeviceCredentials;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registers the device with the cloud using a one-time provisioning code, and reports what provisioning is
 * doing ({@link #state()}).
 */
@ProviderType
public interface ProvisioningService {
    /**
     * Registers the device with the given code, stores the credentials it receives and returns
     * them. The returned API key is the one and only time the key is shown.
     *
     * @param provisioningCode the one-time code, for example {@code PROV-A1B2-C3D4}
     * @return the new credentials; the caller destroys them after use
     * @throws ProvisioningException if the cloud refused or could not be reached
     */
    DeviceCredentials provision(String provisioningCode) throws ProvisioningException;

    /**
     * What provisioning is doing now; never blocks on the network.
     *
     * @return the state of provisioning
     * @since 1.3
     */
    ProvisioningState state();

    /**
     * Rotates the device's API key now (docs/provisioning.md, "Key rotation"): asks the cloud for a new key with
     * the current one, stores the new key in the credential vault, then confirms it with the cloud. The key itself
     * is never returned.
     *
     * @return the new key's expiry, and whether the cloud confirmed it yet
     * @throws ProvisioningException {@code not_provisioned} without confirmed credentials,
     *         {@code provisioning_in_progress} while a registration or another rotation is under way, the cloud's
     *         error code if it refused, a transient code ({@code cloud_unreachable}, ...) if it could not be
     *         reached, a vault error code if the new key could not be stored (the current key stays in use)
     * @since 1.4
     */
    default RotatedKey rotateKey() throws ProvisioningException {
        throw new ProvisioningException("rotation_unsupported", "This provisioning service cannot rotate keys.",
                true);
    }
}
