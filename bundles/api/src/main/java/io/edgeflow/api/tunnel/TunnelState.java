package io.edgeflow.api.tunnel;

import java.time.Instant;

import io.edgeflow.api.status.StatusError;

/**
 * The state of the tunnel to the cloud.
 *
 * @param connected true while the WebSocket is open
 * @param lastHeartbeat time of the last answered heartbeat, or null
 * @param connectedSince when the current connection opened, or null
 * @param error why the tunnel is down, or null
 */
public record TunnelState(boolean connected, Instant lastHeartbeat, Instant connectedSince, StatusError error) {
}
