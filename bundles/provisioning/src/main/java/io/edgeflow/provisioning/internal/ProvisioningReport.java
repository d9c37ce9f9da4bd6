package io.edgeflow.provisioning.internal;

import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/**
 * What provisioning has to say about itself ({@link ProvisioningState}): the errors the state machine met, the
 * device whose key the cloud refused, the clock skew seen in the cloud's answers. Nothing here knows the tunnel
 * or explains the vault's own failures: the local API composes those.
 * <p>
 * Threading: the worker writes, any thread reads; every field the worker writes is volatile. {@link #state}
 * runs under this object's lock, which guards the errors it derives from conditions.
 */
final class ProvisioningReport {
    private final Clock clock;
    private final Map<String, StatusError> derived = new HashMap<>();
    private final Set<String> derivedUsed = new HashSet<>();

    /** Why the cloud cannot be reached or the vault failed, while retrying. */
    private volatile StatusError transientError;
    /** Why provisioning stopped for good, until the settings change. */
    private volatile StatusError permanentError;
    /** The device whose stored key the cloud refused: shown as an error, not confirmed again. */
    private volatile String blockedDevice;
    private volatile Long clockSkewSeconds;

    /** @param clock stamps when an error was first seen (nothing else depends on it being right) */
    ProvisioningReport(Clock clock) {
        this.clock = clock;
    }

    StatusError transientError() {
        return transientError;
    }

    void transientError(String code, String message) {
        transientError = persisting(transientError, code, message);
    }

    void clearTransient() {
        transientError = null;
    }

    void permanentError(String code, String message) {
        permanentError = persisting(permanentError, code, message);
    }

    void clearPermanent() {
        permanentError = null;
    }

    String blockedDevice() {
        return blockedDevice;
    }

    /** @param deviceId the device whose stored key the cloud refused, or null when none is */
    void blockedDevice(String deviceId) {
        blockedDevice = deviceId;
    }

    /** @param seconds the cloud's clock minus the device's, from the last answer's Date header */
    void clockSkew(long seconds) {
        clockSkewSeconds = seconds;
    }

    /**
     * The error to show next: the same {@code since} as the current one while its code stays the same (the
     * message may say more), a new {@code since} otherwise.
     */
    private StatusError persisting(StatusError current, String code, String message) {
        if (current != null && current.code().equals(code)) {
            return current.message().equals(message) ? current : new StatusError(code, message, current.since());
        }
        return new StatusError(code, message, clock.instant());
    }

    /**
     * @param s the latest settings
     * @param current the job in progress, or null
     * @param stored what the vault holds
     * @return what provisioning is doing and what stops it
     */
    synchronized ProvisioningState state(SaasSettings s, Job current, VaultStatus stored) {
        derivedUsed.clear();
        ProvisioningState state = compute(s, current, stored);
        derived.keySet().retainAll(derivedUsed);
        return state;
    }

    private ProvisioningState compute(SaasSettings s, Job current, VaultStatus stored) {
        String url = s.displayUrl();
        Long skew = clockSkewSeconds;
        if (!s.enabled()) {
            return new ProvisioningState(ProvisioningState.Phase.DISABLED, url, null, null, skew);
        }
        if (s.problem() != null) {
            return new ProvisioningState(ProvisioningState.Phase.MISCONFIGURED, url,
                    derived("settings", s.problem().code(), s.problem().message()), null, skew);
        }
        if (current != null && current.code != null) {
            return new ProvisioningState(ProvisioningState.Phase.REGISTERING, url, transientError, null, skew);
        }
        StatusError error = permanentError;
        String deviceId = stored.state() == VaultState.STORED ? stored.deviceId() : null;
        if (error == null && current != null && deviceId != null && deviceId.equals(current.deviceId)) {
            error = transientError; // confirming the stored credentials: why it does not get through
        }
        if (s.codeMalformed()) {
            error = derived("code", ProvisioningEngine.CODE_MALFORMED, "The configured provisioning code "
                    + ProvisioningCode.maskText(s.codeText())
                    + " is not of the shape PROV-XXXX-XXXX (setting .provisioning_code, EDGEFLOW_PROVISIONING_CODE).");
        }
        return new ProvisioningState(ProvisioningState.Phase.IDLE, url, error, blockedDevice, skew);
    }

    /** An error derived from a lasting condition, kept per slot so that its {@code since} stays while it lasts. */
    private StatusError derived(String slot, String code, String message) {
        derivedUsed.add(slot);
        return derived.compute(slot, (k, previous) -> previous != null && previous.code().equals(code)
                && previous.message().equals(message) ? previous : new StatusError(code, message, clock.instant()));
    }
}
