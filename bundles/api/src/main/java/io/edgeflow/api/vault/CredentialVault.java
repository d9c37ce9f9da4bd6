package io.edgeflow.api.vault;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps the device credentials encrypted at rest. Other bundles never touch the vault's files.
 * Implementations are ranked services, so a hardware-backed vault can replace the file vault.
 */
@ProviderType
public interface CredentialVault {
    /**
     * @return the stored credentials, or empty if none are stored
     * @throws VaultException if the vault exists but cannot be read or authenticated
     */
    Optional<DeviceCredentials> load() throws VaultException;

    /**
     * Replaces the stored credentials atomically: afterwards the vault holds the old credentials or
     * the new ones, never a mix.
     *
     * @param credentials what to store
     * @throws VaultException if they could not be stored
     */
    void store(DeviceCredentials credentials) throws VaultException;

    /**
     * Removes the stored credentials.
     *
     * @throws VaultException if they could not be removed
     */
    void clear() throws VaultException;
}
