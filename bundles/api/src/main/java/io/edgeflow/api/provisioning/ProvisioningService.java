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
}
