package io.edgeflow.api.status;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reports the device's link to the cloud. The local API serves the highest-ranked provider.
 */
@ProviderType
public interface SaasStatusProvider {
    /**
     * @return the current status; never null, never blocks on the network
     */
    SaasStatus status();
}
