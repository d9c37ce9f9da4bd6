package io.edgeflow.api.tunnel;

import java.time.Instant;

import io.edgeflow.api.status.StatusError;

/**
 * The state of the tunnel to the cloud.
 *
 * @param phase where the tunnel is
 * @param lastHeartbeat time of the last answered heartbeat, or null
 * @param connectedSince when the current connection opened, or null
 * @param error why the tunnel is down, or null
 * @param clockSkewSeconds the cloud's clock minus the device's, in whole seconds, as last measured from the
 *        {@code server_time} of the cloud's {@code hello} and {@code heartbeat_ack}; kept while the tunnel is
 *        down; null until the first measurement of this run of the agent
 */
public record TunnelState(Phase phase, Instant lastHeartbeat, Instant connectedSince, StatusError error,
        Long clockSkewSeconds) {

    /**
     * A state without a clock skew measurement.
     *
     * @param phase where the tunnel is
     * @param lastHeartbeat time of the last answered heartbeat, or null
     * @param connectedSince when the current connection opened, or null
     * @param error why the tunnel is down, or null
     */
    public TunnelState(Phase phase, Instant lastHeartbeat, Instant connectedSince, StatusError error) {
        this(phase, lastHeartbeat, connectedSince, error, null);
    }

    /** Where the tunnel is. */
    public enum Phase {
        /** Not running: SaaS disabled or the device not provisioned. */
        STOPPED,
        /** Opening a connection (first time, or after a failure, waiting out its backoff). */
        CONNECTING,
        /** Open, and heartbeats are answered. */
        ONLINE,
        /** Was online; the connection failed and a new one is being tried. */
        OFFLINE,
        /** The cloud refused the device's key ({@code credentials_rejected}); retried slowly. */
        REJECTED
    }

    /** @return true only while the WebSocket is open and heartbeats are answered */
    public boolean connected() {
        return phase == Phase.ONLINE;
    }
}
