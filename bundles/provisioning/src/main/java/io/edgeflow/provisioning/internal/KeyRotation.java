package io.edgeflow.provisioning.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.RotatedKey;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the device's API key (docs/provisioning.md, "Key rotation on the device"): asks the cloud for a new key
 * with the current one, stores the new key in the vault, then confirms it with the cloud.
 * <p>
 * Why that order survives a crash at any point: until the new key is confirmed, the cloud accepts the current key
 * for its overlap window, so a device that lost the new key (a crash before it was stored) still reaches the cloud,
 * and its next rotation voids the lost key (docs/protocol.md). The new key is stored together with a pending request
 * id, the vault's mark of credentials not confirmed yet (as pre-provisioned credentials are stored): an agent
 * started again confirms them, as after a registration. A stored key that the cloud would not confirm (a rotation
 * from elsewhere voided it) is replaced by the current key again, which still works in its window.
 * <p>
 * Threading: {@link #rotate} runs on the provisioning worker only, the one thread that runs the state machine, so
 * a rotation never overlaps a registration or a confirmation, and the engine's worker-confined state it is given
 * is read on its own thread. {@link #request} is the other side, on the local API caller's thread: it hands the
 * rotation to the worker and waits, bounded, for the answer. This object's fields never change.
 */
final class KeyRotation {
    /** Error code: no confirmed credentials to rotate. */
    static final String NOT_PROVISIONED = "not_provisioned";

    private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);

    private final CredentialVault vault;
    private final IdentityPublisher identity;

    KeyRotation(CredentialVault vault, IdentityPublisher identity) {
        this.vault = vault;
        this.identity = identity;
    }

    /**
     * Runs a rotation on the worker and waits for its answer.
     *
     * @param worker the provisioning worker
     * @param wait how long the caller waits at most
     * @param rotation the rotation, run on the worker
     * @return its answer
     * @throws ProvisioningException its failure, or {@code provisioning_unavailable} if the worker stopped, or
     *         {@code cloud_timeout} if it did not finish in time
     */
    static RotatedKey request(Executor worker, Duration wait, Callable<RotatedKey> rotation)
            throws ProvisioningException {
        CompletableFuture<RotatedKey> answer = new CompletableFuture<>();
        try {
            worker.execute(() -> {
                try {
                    answer.complete(rotation.call());
                } catch (ProvisioningException e) {
                    answer.completeExceptionally(e);
                } catch (Exception e) {
                    LOG.error("The key rotation failed unexpectedly: {}", e.toString(), e);
                    answer.completeExceptionally(new ProvisioningException("internal_error", "The key rotation failed "
                            + "unexpectedly (" + e.getClass().getSimpleName() + "); see the agent log.", false));
                }
            });
        } catch (RejectedExecutionException e) {
            throw stopped();
        }
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProvisioningException p) {
                throw p;
            }
            throw stopped();
        } catch (TimeoutException e) {
            throw new ProvisioningException(CloudCallException.TIMEOUT, "The key rotation did not finish in "
                    + wait.toSeconds() + " s; it goes on (GET /api/v1/saas/status shows its outcome).", false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw stopped();
        }
    }

    private static ProvisioningException stopped() {
        return new ProvisioningException("provisioning_unavailable", "The provisioning service stopped.", false);
    }

    /**
     * The rotation, on the worker.
     *
     * @param s the settings the state machine acts on
     * @param busy true while a registration or confirmation job is under way
     * @param confirmedDevice the device whose stored credentials this run of the agent knows to be confirmed, or null
     * @param cloud the cloud for these settings; null while its endpoint is not registered
     * @param unconfirmed called when the new key is stored but its confirmation failed for now: the engine retries
     *        the confirmation of the stored key, with backoff
     * @return the new key's expiry, and whether it is confirmed
     * @throws ProvisioningException why no new key is in use
     */
    RotatedKey rotate(SaasSettings s, boolean busy, String confirmedDevice, Supplier<CloudApi> cloud,
            Runnable unconfirmed) throws ProvisioningException {
        if (!s.enabled()) {
            throw new ProvisioningException(ProvisioningEngine.SAAS_DISABLED, "SaaS is disabled.", true);
        }
        if (s.problem() != null) {
            throw new ProvisioningException(s.problem().code(), s.problem().message(), true);
        }
        if (busy) {
            throw new ProvisioningException(ProvisioningEngine.IN_PROGRESS, "A registration or a confirmation of the "
                    + "stored key is under way; rotate when it is done (GET /api/v1/saas/status).", false);
        }
        VaultStatus status = CloudSteps.vaultStatus(vault);
        if (status.state() != VaultState.STORED || !status.deviceId().equals(confirmedDevice)) {
            throw new ProvisioningException(NOT_PROVISIONED, status.state() == VaultState.STORED
                    ? "The stored credentials of " + status.deviceId() + " are not confirmed by the cloud."
                    : "The device holds no credentials to rotate (the vault is " + status.state().wireName() + ").",
                    true);
        }
        CloudApi api = cloud.get();
        if (api == null) {
            throw new ProvisioningException(CloudCallException.UNREACHABLE, "The connection to the cloud at "
                    + s.displayUrl() + " is not set up yet.", false);
        }
        Optional<DeviceCredentials> loaded = load();
        if (loaded.isEmpty()) {
            throw new ProvisioningException(NOT_PROVISIONED, "The device holds no credentials to rotate.", true);
        }
        DeviceCredentials current = loaded.get();
        char[] key = current.apiKey();
        try {
            confirmEarlierRotation(api, current.deviceId(), key);
            return rotate(s, api, current, key, unconfirmed);
        } finally {
            Arrays.fill(key, '\0');
            current.destroy();
        }
    }

    private Optional<DeviceCredentials> load() throws ProvisioningException {
        try {
            return vault.load();
        } catch (VaultException e) {
            throw new ProvisioningException(e.code(), "The credential vault failed: " + e.getMessage(), false);
        }
    }

    /** A key stored by an earlier rotation and not confirmed yet is confirmed before it asks for another. */
    private void confirmEarlierRotation(CloudApi api, String deviceId, char[] key) throws ProvisioningException {
        try {
            if (vault.pendingRequestId().isEmpty()) {
                return;
            }
            api.confirm(deviceId, key, Map.of(), Map.of());
            vault.clearPendingRequestId();
            LOG.info("The stored API key {} of {} is confirmed before it is rotated", DeviceCredentials.mask(key),
                    deviceId);
        } catch (CloudCallException e) {
            throw new ProvisioningException(e.code(), "The stored key could not be confirmed before the rotation: "
                    + e.getMessage(), false, e.retryAfter());
        } catch (VaultException e) {
            throw new ProvisioningException(e.code(), "The credential vault failed: " + e.getMessage(), false);
        }
    }

    private RotatedKey rotate(SaasSettings s, CloudApi api, DeviceCredentials current, char[] key,
            Runnable unconfirmed) throws ProvisioningException {
        String deviceId = current.deviceId();
        CloudApi.Rotation rotation;
        try {
            rotation = api.rotateKey(deviceId, key);
        } catch (CloudCallException e) {
            LOG.warn("Key rotation of {}: the cloud at {} did not issue a new key ({}: {}); the current key stays",
                    deviceId, s.displayUrl(), e.code(), e.getMessage());
            throw e.toProvisioningException();
        }
        String url = current.saasUrl() != null ? current.saasUrl() : s.displayUrl();
        DeviceCredentials next = new DeviceCredentials(deviceId, rotation.apiKey(), rotation.expiresAt(), url);
        char[] newKey = rotation.apiKey();
        try {
            try {
                // marked unconfirmed first: an agent stopped before the confirmation confirms the key when it starts
                vault.storePendingRequestId(UUID.randomUUID().toString());
                vault.store(next); // the tunnel's identity gets the new expiry: it reconnects with the new key
            } catch (VaultException e) {
                // the pending mark stays: the next rotation, or the next start, confirms whichever key is stored
                LOG.warn("Key rotation of {}: the new key {} could not be stored ({}); the current key stays in use "
                        + "until {}", deviceId, DeviceCredentials.mask(newKey), e.getMessage(),
                        rotation.previousKeyValidUntil());
                throw new ProvisioningException(e.code(), "The new key could not be stored in the credential vault ("
                        + e.getMessage() + "); the current key stays in use.", false);
            }
            LOG.info("Key rotation of {}: new API key {} stored in the credential vault; confirming it", deviceId,
                    DeviceCredentials.mask(newKey));
            return confirm(s, api, current, rotation, newKey, unconfirmed);
        } finally {
            Arrays.fill(newKey, '\0');
            next.destroy();
            rotation.destroy();
        }
    }

    private RotatedKey confirm(SaasSettings s, CloudApi api, DeviceCredentials previous, CloudApi.Rotation rotation,
            char[] newKey, Runnable unconfirmed) throws ProvisioningException {
        String deviceId = previous.deviceId();
        try {
            api.confirm(deviceId, newKey, Map.of(), Map.of());
        } catch (CloudCallException e) {
            if (!e.permanent()) {
                LOG.warn("Key rotation of {}: the new key is in use, its confirmation failed for now ({}: {}); "
                        + "retrying. The previous key works until {}", deviceId, e.code(), e.getMessage(),
                        rotation.previousKeyValidUntil());
                unconfirmed.run();
                return new RotatedKey(deviceId, rotation.expiresAt(), rotation.previousKeyValidUntil(), false);
            }
            LOG.warn("Key rotation of {}: the cloud refused the new key at its confirmation ({}: {}); the previous "
                    + "key goes back into the vault", deviceId, e.code(), e.getMessage());
            restore(previous);
            throw new ProvisioningException(e.code(), "The cloud refused the new key at its confirmation ("
                    + e.getMessage() + "); the previous key is in use again.", true);
        }
        try {
            vault.clearPendingRequestId();
        } catch (VaultException e) {
            // harmless: the next start confirms the same key again
            LOG.warn("Key rotation of {}: could not clear the pending mark ({})", deviceId, e.getMessage());
        }
        identity.publish(deviceId, rotation.expiresAt());
        LOG.info("Key rotation of {}: the cloud at {} confirmed the new API key {} (valid until {}); the previous key "
                + "no longer works", deviceId, s.displayUrl(), DeviceCredentials.mask(newKey), rotation.expiresAt());
        return new RotatedKey(deviceId, rotation.expiresAt(), null, true);
    }

    private void restore(DeviceCredentials previous) {
        try {
            vault.store(previous);
            vault.clearPendingRequestId();
        } catch (VaultException e) {
            LOG.warn("Key rotation of {}: the previous key could not be put back ({})", previous.deviceId(),
                    e.getMessage());
        }
    }
}
