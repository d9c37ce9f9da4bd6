package io.edgeflow.cloud.tunnel;

import java.time.Instant;

/**
 * Whether a device's tunnel is up, as the admin API shows it. Kept in memory: after a restart of the
 * cloud every device is offline until its agent reconnects (seconds, with the agent's backoff).
 *
 * @param online true while the device's tunnel is open
 * @param connectedSince when the open tunnel was established, or null when offline
 * @param lastHeartbeat the last heartbeat received from the device since the cloud started, or null
 * @param disconnectedAt when the last tunnel closed, or null
 * @param remoteAddress the address the open tunnel comes from, or null when offline
 * @param node the id of the node holding the open tunnel when the cloud runs as several nodes, else null
 */
public record Presence(boolean online, Instant connectedSince, Instant lastHeartbeat, Instant disconnectedAt,
        String remoteAddress, String node) {
    /** A device never seen since the cloud started. */
    public static final Presence NEVER_SEEN = new Presence(false, null, null, null, null);

    /**
     * On a cloud of one node (no node named).
     *
     * @param online true while the device's tunnel is open
     * @param connectedSince when the open tunnel was established, or null when offline
     * @param lastHeartbeat the last heartbeat received from the device, or null
     * @param disconnectedAt when the last tunnel closed, or null
     * @param remoteAddress the address the open tunnel comes from, or null when offline
     */
    public Presence(boolean online, Instant connectedSince, Instant lastHeartbeat, Instant disconnectedAt,
            String remoteAddress) {
        this(online, connectedSince, lastHeartbeat, disconnectedAt, remoteAddress, null);
    }
}
