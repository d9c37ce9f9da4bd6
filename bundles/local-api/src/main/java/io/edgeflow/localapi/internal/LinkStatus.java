package io.edgeflow.localapi.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.status.SaasState;
import io.edgeflow.api.status.SaasStatus;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/**
 * Composes the link's status ({@code GET /api/v1/saas/status}) from what each capability publishes about
 * itself: provisioning ({@link ProvisioningState}), the credential vault ({@link VaultStatus}) and the tunnel
 * ({@link TunnelState}). The one place that knows how they combine: none of them reads another's state.
 * <p>
 * Threading: {@link #compose} runs under this object's lock, which guards the remembered errors (an error
 * derived from a lasting condition keeps its {@code since} while the condition lasts).
 */
public final class LinkStatus {
    private final Clock clock;
    private final Map<String, StatusError> derived = new HashMap<>();
    private final Set<String> used = new HashSet<>();

    /** @param clock stamps when a derived error was first seen */
    public LinkStatus(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param provisioning provisioning's state, or null while no provisioning bundle runs
     * @param vault the vault's status, or null while no vault runs
     * @param tunnel the tunnel's state, or null while no tunnel runs
     * @return the link's status; never blocks on the network
     */
    public synchronized SaasStatus compose(ProvisioningState provisioning, VaultStatus vault, TunnelState tunnel) {
        used.clear();
        SaasStatus status = link(provisioning, vault, tunnel);
        derived.keySet().retainAll(used);
        return status;
    }

    private SaasStatus link(ProvisioningState p, VaultStatus vault, TunnelState tunnel) {
        VaultStatus stored = vault != null ? vault : VaultStatus.unavailable("no credential vault is running");
        String url = p == null ? null : p.saasUrl();
        // the tunnel measures at every heartbeat; the Date header only when provisioning talks to the cloud
        Long skew = tunnel != null && tunnel.clockSkewSeconds() != null ? tunnel.clockSkewSeconds()
                : p == null ? null : p.clockSkewSeconds();
        boolean hasCredentials = stored.state() == VaultState.STORED;
        String deviceId = hasCredentials ? stored.deviceId() : null;
        Instant expiresAt = hasCredentials ? stored.expiresAt() : null;
        ProvisioningState.Phase doing = p == null ? ProvisioningState.Phase.IDLE : p.phase();
        if (doing == ProvisioningState.Phase.DISABLED) {
            return new SaasStatus(false, deviceId, SaasState.DISABLED, null, vault == null ? null : vaultError(stored),
                    url, expiresAt, skew);
        }
        if (doing == ProvisioningState.Phase.MISCONFIGURED) {
            return new SaasStatus(false, deviceId, SaasState.ERROR, null, p.error(), url, expiresAt, skew);
        }
        Instant lastHeartbeat = tunnel == null ? null : tunnel.lastHeartbeat();
        if (doing == ProvisioningState.Phase.REGISTERING) {
            // a registration with a code, up to its confirmation
            return new SaasStatus(false, deviceId, SaasState.PROVISIONING, lastHeartbeat, p.error(), url, expiresAt,
                    skew);
        }
        StatusError error = p == null ? null : p.error();
        switch (stored.state()) {
            case EMPTY:
                return new SaasStatus(false, null, error == null ? SaasState.UNPROVISIONED : SaasState.ERROR, null,
                        error, url, null, skew);
            case CORRUPT:
            case UNAVAILABLE:
                // the vault is the cause of whatever else fails
                return new SaasStatus(false, null, SaasState.ERROR, null, vaultError(stored), url, null, skew);
            default:
                break;
        }
        if (p != null && deviceId.equals(p.refusedDeviceId())) {
            return new SaasStatus(false, deviceId, SaasState.ERROR, lastHeartbeat, error, url, expiresAt, skew);
        }
        TunnelState.Phase phase = tunnel == null ? TunnelState.Phase.STOPPED : tunnel.phase();
        SaasState state = switch (phase) {
            case STOPPED -> SaasState.PROVISIONED;
            case CONNECTING -> SaasState.CONNECTING;
            case ONLINE -> SaasState.ONLINE;
            case OFFLINE -> SaasState.OFFLINE;
            case REJECTED -> SaasState.ERROR;
        };
        StatusError tunnelError = tunnel == null ? null : tunnel.error();
        if (phase == TunnelState.Phase.REJECTED) {
            error = tunnelError != null ? tunnelError : derived("tunnel", "credentials_rejected",
                    "The cloud refused this device's API key; provision the device again with a new code.");
        } else if (error == null && phase != TunnelState.Phase.ONLINE) {
            error = tunnelError;
        }
        return new SaasStatus(phase == TunnelState.Phase.ONLINE, deviceId, state, lastHeartbeat, error, url, expiresAt,
                skew);
    }

    private StatusError vaultError(VaultStatus stored) {
        return switch (stored.state()) {
            case CORRUPT -> derived("vault", VaultException.CREDENTIALS_UNREADABLE,
                    "The stored device credentials cannot be read: " + stored.reason() + ". Provision the device "
                    + "again; the unreadable vault file is then moved aside, not deleted.");
            case UNAVAILABLE -> derived("vault", VaultException.VAULT_IO_ERROR, "The credential vault cannot be read: "
                    + stored.reason() + ".");
            default -> null;
        };
    }

    /** An error derived from a condition, kept per slot so that its {@code since} stays while it lasts. */
    private StatusError derived(String slot, String code, String message) {
        used.add(slot);
        return derived.compute(slot, (k, previous) -> previous != null && previous.code().equals(code)
                && previous.message().equals(message) ? previous : new StatusError(code, message, clock.instant()));
    }
}
