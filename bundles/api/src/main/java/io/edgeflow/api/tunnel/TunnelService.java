package io.edgeflow.api.tunnel;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The WebSocket tunnel that keeps a provisioned device connected to the cloud.
 */
@ProviderType
public interface TunnelService {
    /**
     * @return the current state of the tunnel, never null
     */
    TunnelState state();
}
