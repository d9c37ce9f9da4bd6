package io.edgeflow.provisioning.internal;

import java.time.Instant;

import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.VaultException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the vault that the device's credentials are confirmed, or no longer count as such; the vault registers
 * the {@code DeviceIdentity} from that mark, so the identity outlives an update of this bundle. Runs on the
 * engine's worker.
 */
class IdentityPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(IdentityPublisher.class);

    private final CredentialVault vault;
    /** The device last marked by this publisher, or null. */
    private String marked;

    /** @param vault where the mark is kept */
    IdentityPublisher(CredentialVault vault) {
        this.vault = vault;
    }

    /**
     * @param deviceId the Device ID the cloud confirmed
     * @param expiresAt when its key expires, or null (the vault reads it from the credentials)
     * @return true if the mark changed
     */
    synchronized boolean publish(String deviceId, Instant expiresAt) {
        try {
            vault.markConfirmed(deviceId);
        } catch (VaultException e) {
            LOG.warn("Could not mark the credentials of {} as confirmed in the vault: {}", deviceId, e.getMessage());
            return false;
        }
        boolean changed = !deviceId.equals(marked);
        marked = deviceId;
        return changed;
    }

    /** Removes the mark, if any: the vault unregisters the identity. */
    synchronized void withdraw() {
        vault.withdrawConfirmation();
        marked = null;
    }
}
