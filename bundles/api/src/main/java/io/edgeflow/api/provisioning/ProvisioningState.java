package io.edgeflow.api.provisioning;

import java.util.Objects;

import io.edgeflow.api.status.StatusError;

/**
 * What provisioning is doing and what keeps it from succeeding, as the provisioning bundle alone knows it: no
 * word of the tunnel or of the vault's own failures, which their services report. The local API composes
 * {@code GET /api/v1/saas/status} from this, the vault's {@code VaultStatus} and the tunnel's
 * {@code TunnelState}. Safe to show anywhere: it holds no secret.
 *
 * @param phase what provisioning is doing
 * @param saasUrl the cloud's address as configured, or null
 * @param error the error provisioning reports (a setting that cannot work, a refused code or key, a cloud that
 *        cannot be reached while confirming the stored credentials), or null
 * @param refusedDeviceId the Device ID whose stored API key the cloud refused at its confirmation, or null
 * @param clockSkewSeconds the cloud's clock minus the device's, from the {@code Date} header of the cloud's last
 *        HTTP answer, or null when not yet seen
 * @since 1.3
 */
public record ProvisioningState(Phase phase, String saasUrl, StatusError error, String refusedDeviceId,
        Long clockSkewSeconds) {

    /**
     * @param phase what provisioning is doing
     * @param saasUrl the cloud, or null
     * @param error the error, or null
     * @param refusedDeviceId the Device ID whose key the cloud refused, or null
     * @param clockSkewSeconds cloud clock minus device clock, or null
     */
    public ProvisioningState {
        Objects.requireNonNull(phase, "phase");
    }

    /** What provisioning is doing. */
    public enum Phase {
        /** SaaS is disabled: nothing contacts the cloud. */
        DISABLED,
        /** SaaS is enabled but a setting (URL, CA file, proxy) cannot work; {@code error} says which. */
        MISCONFIGURED,
        /** No registration with a code under way (the device may be provisioned or not: the vault says). */
        IDLE,
        /** A registration with a provisioning code is under way, up to its confirmation. */
        REGISTERING
    }
}
