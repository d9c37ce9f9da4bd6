package io.edgeflow.provisioning.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/** A credential vault in memory, with the contract of the file vault: store keeps a pending request id. */
final class FakeVault implements CredentialVault {
    private DeviceCredentials stored;
    private String pending;
    private boolean corrupt;
    final List<String> operations = new ArrayList<>();

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
    public synchronized void store(DeviceCredentials credentials) {
        corrupt = false;
        stored = copy(credentials);
        operations.add("store " + credentials.deviceId());
    }

    @Override
    public synchronized void clear() {
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
