package io.edgeflow.api.status;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of the device's link to the cloud, as {@code GET /api/v1/saas/status} serves it.
 *
 * @param connected true only while the tunnel is up
 * @param deviceId the Device ID ({@code dev_...}) or null while unprovisioned
 * @param state the state of the link
 * @param lastHeartbeat the time of the last answered heartbeat, or null
 * @param error what went wrong, or null
 * @param saasUrl the cloud this device talks to, or null
 * @param credentialsExpireAt when the API key expires, or null
 * @param clockSkewSeconds the cloud's clock minus the device's in seconds: from the tunnel's {@code server_time}
 *        while it has measured one, else from the {@code Date} header of the last HTTP answer, or
 *        null when not yet seen
 */
public record SaasStatus(boolean connected, String deviceId, SaasState state, Instant lastHeartbeat,
        StatusError error, String saasUrl, Instant credentialsExpireAt, Long clockSkewSeconds) {

    /**
     * @param connected true only while the tunnel is up
     * @param deviceId the Device ID or null
     * @param state the state of the link
     * @param lastHeartbeat the time of the last answered heartbeat, or null
     * @param error what went wrong, or null
     * @param saasUrl the cloud, or null
     * @param credentialsExpireAt when the API key expires, or null
     * @param clockSkewSeconds cloud clock minus device clock, or null
     */
    public SaasStatus {
        Objects.requireNonNull(state, "state");
    }

    /**
     * The five fields of the product documentation, the others null.
     *
     * @param connected true only while the tunnel is up
     * @param deviceId the Device ID or null
     * @param state the state of the link
     * @param lastHeartbeat the time of the last answered heartbeat, or null
     * @param error what went wrong, or null
     */
    public SaasStatus(boolean connected, String deviceId, SaasState state, Instant lastHeartbeat,
            StatusError error) {
        this(connected, deviceId, state, lastHeartbeat, error, null, null, null);
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
