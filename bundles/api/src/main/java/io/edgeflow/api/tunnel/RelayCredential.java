package io.edgeflow.api.tunnel;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The tunnel's own credential for the requests it relays from the cloud to the local API, so that the cloud reaches
 * endpoints that need the local API token without ever holding that token. The tunnel makes a random secret each
 * time it starts, keeps it in memory only and sends it over loopback as {@code Authorization: EdgeFlow-Relay
 * <secret>}; the local API's caller check asks this service whether a presented secret is the tunnel's. The secret
 * itself is never handed out by this service, never logged, never sent to the cloud and never written to disk.
 * <p>
 * Registered by the tunnel bundle while the tunnel runs. No service: no request counts as relayed.
 */
@ProviderType
public interface RelayCredential {
    /** The {@code Authorization} scheme of relayed requests: {@value}. */
    String SCHEME = "EdgeFlow-Relay";

    /**
     * @param presented what a request sent after {@code EdgeFlow-Relay }, or null
     * @return true if it is the tunnel's current secret; compared in constant time
     */
    boolean matches(String presented);
}
