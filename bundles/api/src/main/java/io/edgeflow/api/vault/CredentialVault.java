package io.edgeflow.api.vault;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps the device credentials encrypted at rest. Other bundles never touch the vault's files.
 * Implementations are ranked services, so a hardware-backed vault can replace the file vault.
 * <p>
 * Besides the credentials, the vault keeps the {@code request_id} of a registration that has been
 * sent but not yet confirmed, so that a registration interrupted by a crash can be retried with the
 * same request. The two are independent: storing one leaves the other as it is.
 * <p>
 * A vault that fails authentication (altered, truncated, written with another key or on another
 * machine, or in a format this agent does not read) is never silently overwritten: reads fail with
 * {@link VaultException#CREDENTIALS_UNREADABLE}, and the unreadable file is only moved aside, never
 * deleted, when something new is written.
 * <p>
 * The vault also keeps a mark, in memory, that the stored credentials have been confirmed by the cloud, set
 * by provisioning ({@link #markConfirmed}). While the mark stands, the vault registers the
 * {@link io.edgeflow.api.provisioning.DeviceIdentity} of the stored credentials, so that what needs a
 * provisioned device (the tunnel) depends on the vault, not on provisioning: provisioning can be updated
 * without disturbing it.
 */
@ProviderType
public interface CredentialVault {
    /**
     * @return the stored credentials, or empty if none are stored; the caller destroys them after use
     * @throws VaultException {@link VaultException#CREDENTIALS_UNREADABLE} if the vault exists but
     *         cannot be authenticated, {@link VaultException#VAULT_IO_ERROR} if it cannot be read
     */
    Optional<DeviceCredentials> load() throws VaultException;

    /**
     * Replaces the stored credentials atomically: afterwards the vault holds the old credentials or
     * the new ones, never a mix, even after a crash or power cut. A pending registration request is
     * kept. An unreadable vault is moved aside first.
     *
     * @param credentials what to store; the caller still owns (and destroys) them
     * @throws VaultException {@link VaultException#INVALID_CREDENTIALS} if a value cannot be stored,
     *         {@link VaultException#VAULT_IO_ERROR} if they could not be stored
     */
    void store(DeviceCredentials credentials) throws VaultException;

    /**
     * Removes the stored credentials and any pending registration request. An unreadable vault is
     * moved aside, not deleted.
     *
     * @throws VaultException {@link VaultException#VAULT_IO_ERROR} if they could not be removed
     */
    void clear() throws VaultException;

    /**
     * @return the {@code request_id} of a registration that was sent but not yet confirmed, or empty
     * @throws VaultException as {@link #load()}
     */
    Optional<String> pendingRequestId() throws VaultException;

    /**
     * Keeps the {@code request_id} of a registration about to be sent, atomically, leaving the stored
     * credentials as they are. Starting a new registration on an unreadable vault moves the unreadable
     * file aside first.
     *
     * @param requestId the request id, 1 to 256 printable ASCII characters
     * @throws VaultException {@link VaultException#INVALID_CREDENTIALS} if the id cannot be stored,
     *         {@link VaultException#VAULT_IO_ERROR} if it could not be stored
     */
    void storePendingRequestId(String requestId) throws VaultException;

    /**
     * Forgets the pending registration request once the registration is confirmed or refused for
     * good, leaving the stored credentials as they are. Does nothing if no request is pending.
     *
     * @throws VaultException as {@link #load()}; an unreadable vault is left untouched
     */
    void clearPendingRequestId() throws VaultException;

    /**
     * Reports what the vault holds without failing: for the status API and for logs.
     *
     * @return the current status; never null, never holds a secret
     */
    VaultStatus status();

    /**
     * Marks the stored credentials as confirmed by the cloud: the vault then registers their
     * {@link io.edgeflow.api.provisioning.DeviceIdentity} (once; marking them again changes nothing). The mark
     * goes when other credentials are stored (a new code's credentials, until they are confirmed in their turn),
     * when the credentials are cleared, and with {@link #withdrawConfirmation()}; storing a pending request id
     * leaves it, so a device keeps its identity while a new code is being registered.
     *
     * @param deviceId the Device ID of the credentials the cloud confirmed
     * @throws VaultException {@link VaultException#INVALID_CREDENTIALS} if the vault does not hold the
     *         credentials of that device, or as {@link #load()}
     * @since 1.2
     */
    void markConfirmed(String deviceId) throws VaultException;

    /**
     * Removes the mark set by {@link #markConfirmed}: the {@link io.edgeflow.api.provisioning.DeviceIdentity}
     * is unregistered, the credentials stay stored. Does nothing without a mark.
     *
     * @since 1.2
     */
    void withdrawConfirmation();
}
