package io.edgeflow.api.status;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of the device's link to the cloud.
 *
 * @param connected true only while the tunnel is up
 * @param deviceId the Device ID ({@code dev_...}) or null while unprovisioned
 * @param state the state of the link
 * @param lastHeartbeat the time of the last answered heartbeat, or null
 * @param error what went wrong, or null
 */
public record SaasStatus(boolean connected, String deviceId, SaasState state, Instant lastHeartbeat,
        StatusError error) {

    /**
     * @param connected true only while the tunnel is up
     * @param deviceId the Device ID or null
     * @param state the state of the link
     * @param lastHeartbeat the time of the last answered heartbeat, or null
     * @param error what went wrong, or null
     */
    public SaasStatus {
        Objects.requireNonNull(state, "state");
    }

    /**
     * A status that only says the state: not connected, no device, no heartbeat, no error.
     *
     * @param state the state
     * @return the status
     */
    public static SaasStatus of(SaasState state) {
        return new SaasStatus(false, null, state, null, null);
    }
}
