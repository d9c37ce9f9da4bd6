package io.edgeflow.api.status;

/**
 * The states of the device's link to the cloud, as they appear in the {@code status} field of the
 * local status API. The wire name of each state is its {@link #wireName()}.
 */
public enum SaasState {
    /** SaaS is switched off: nothing contacts the cloud. */
    DISABLED("disabled"),
    /** SaaS is on, but the device holds no credentials and has no provisioning code to use. */
    UNPROVISIONED("unprovisioned"),
    /** A registration with a provisioning code is in progress. */
    PROVISIONING("provisioning"),
    /** The device holds credentials; the tunnel is not running (yet). */
    PROVISIONED("provisioned"),
    /** The device holds credentials and is opening its tunnel. */
    CONNECTING("connecting"),
    /** The tunnel is up and heartbeats are answered. */
    ONLINE("online"),
    /** The device holds credentials but the tunnel is down. */
    OFFLINE("offline"),
    /** A condition that needs a person: see the error of the status. */
    ERROR("error");

    private final String wireName;

    SaasState(String wireName) {
        this.wireName = wireName;
    }

    /**
     * @return the lower-case name used in JSON, for example {@code unprovisioned}
     */
    public String wireName() {
        return wireName;
    }
}
