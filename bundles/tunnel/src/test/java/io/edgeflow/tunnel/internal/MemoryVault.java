package io.edgeflow.tunnel.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/** A vault in memory that counts how often the tunnel reads the key (once per connection attempt). */
final class MemoryVault implements CredentialVault {
    private volatile DeviceCredentials stored;
    final AtomicInteger loads = new AtomicInteger();

    MemoryVault(String deviceId, String apiKey) {
        this.stored = new DeviceCredentials(deviceId, apiKey.toCharArray(), null, null);
    }

    @Override
    public Optional<DeviceCredentials> load() {
        loads.incrementAndGet();
        DeviceCredentials c = stored;
        return c == null ? Optional.empty()
                : Optional.of(new DeviceCredentials(c.deviceId(), c.apiKey(), c.expiresAt(), c.saasUrl()));
    }

    @Override
    public void store(DeviceCredentials credentials) {
        stored = new DeviceCredentials(credentials.deviceId(), credentials.apiKey(), credentials.expiresAt(),
                credentials.saasUrl());
    }

    @Override
    public void clear() {
        stored = null;
    }

    @Override
    public Optional<String> pendingRequestId() {
        return Optional.empty();
    }

    @Override
    public void storePendingRequestId(String requestId) throws VaultException {
        throw new VaultException(VaultException.VAULT_IO_ERROR, "not in this test");
    }

    @Override
    public void clearPendingRequestId() {
        // nothing pending
    }

    @Override
    public VaultStatus status() {
        DeviceCredentials c = stored;
        return c == null ? VaultStatus.empty() : new VaultStatus(VaultState.STORED, c.deviceId(), null, false, null);
    }

    @Override
    public void markConfirmed(String deviceId) {
        // the tunnel's tests hand it its identity themselves
    }

    @Override
    public void withdrawConfirmation() {
    }
}
