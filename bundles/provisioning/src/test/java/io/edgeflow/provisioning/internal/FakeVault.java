package io.edgeflow.provisioning.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.edgeflow.api.provisioning.DeviceIdentity;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/** A credential vault in memory, with the contract of the file vault: store keeps a pending request id. */
final class FakeVault implements CredentialVault {
    private DeviceCredentials stored;
    private String pending;
    private Identity confirmed;
    private boolean corrupt;
    private int failStores;
    final List<String> operations = new ArrayList<>();

    /** The next n stores fail as a full disk would, leaving what was stored. */
    synchronized void failStores(int n) {
        failStores = n;
    }

    synchronized void corrupt() {
        corrupt = true;
    }

    @Override
    public synchronized Optional<DeviceCredentials> load() throws VaultException {
        if (corrupt) {
            throw new VaultException(VaultException.CREDENTIALS_UNREADABLE, "altered or damaged");
        }
        return stored == null ? Optional.empty() : Optional.of(copy(stored));
    }

    @Override
    public synchronized void store(DeviceCredentials credentials) throws VaultException {
        if (failStores > 0) {
            failStores--;
            throw new VaultException(VaultException.VAULT_IO_ERROR, "No space left on device");
        }
        corrupt = false;
        if (confirmed != null && !confirmed.deviceId().equals(credentials.deviceId())) {
            confirmed = null; // as the file vault: other credentials are not confirmed yet
        }
        stored = copy(credentials);
        operations.add("store " + credentials.deviceId());
    }

    @Override
    public synchronized void clear() {
        confirmed = null;
        stored = null;
        pending = null;
        corrupt = false;
    }

    @Override
    public synchronized Optional<String> pendingRequestId() throws VaultException {
        if (corrupt) {
            throw new VaultException(VaultException.CREDENTIALS_UNREADABLE, "altered or damaged");
        }
        return Optional.ofNullable(pending);
    }

    @Override
    public synchronized void storePendingRequestId(String requestId) {
        pending = requestId;
        operations.add("pending");
    }

    @Override
    public synchronized void clearPendingRequestId() {
        if (pending != null) {
            operations.add("clear pending");
        }
        pending = null;
    }

    @Override
    public synchronized void markConfirmed(String deviceId) throws VaultException {
        if (stored == null || !stored.deviceId().equals(deviceId)) {
            throw new VaultException(VaultException.INVALID_CREDENTIALS, "no credentials of " + deviceId);
        }
        confirmed = new Identity(deviceId, stored.expiresAt());
    }

    @Override
    public synchronized void withdrawConfirmation() {
        confirmed = null;
    }

    /** @return the identity the file vault would register now, or null */
    synchronized DeviceIdentity identity() {
        return confirmed;
    }

    record Identity(String deviceId, Instant credentialsExpireAt) implements DeviceIdentity {
    }

    @Override
    public synchronized VaultStatus status() {
        if (corrupt) {
            return VaultStatus.corrupt("altered or damaged");
        }
        if (stored == null) {
            return new VaultStatus(VaultState.EMPTY, null, null, pending != null, null);
        }
        return new VaultStatus(VaultState.STORED, stored.deviceId(), stored.expiresAt(), pending != null, null);
    }

    synchronized String pending() {
        return pending;
    }

    synchronized String key() {
        return stored == null ? null : new String(stored.apiKey());
    }

    private static DeviceCredentials copy(DeviceCredentials c) {
        char[] key = c.apiKey();
        try {
            return new DeviceCredentials(c.deviceId(), key, c.expiresAt(), c.saasUrl());
        } finally {
            java.util.Arrays.fill(key, '\0');
        }
    }
}
