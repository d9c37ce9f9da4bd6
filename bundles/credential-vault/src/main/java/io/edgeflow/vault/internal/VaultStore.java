package io.edgeflow.vault.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/**
 * The file vault without OSGi: one encrypted file ({@link VaultFile}), one key file ({@link KeyFile}),
 * bound to the machine identity ({@link MachineIdentity}). Every change reads the current contents,
 * applies the change and replaces the file atomically ({@link DurableFiles}), so a crash at any moment
 * leaves the old contents or the new ones. An unreadable file is never overwritten: reads report it,
 * and a write that brings new contents moves it aside first. Thread-safe; one writer per process.
 * <p>
 * Public only so the benchmark under {@code bench/vault} can drive it; the package is not exported.
 */
public final class VaultStore implements CredentialVault {
    /** The name of the vault file in its directory. */
    public static final String VAULT_FILE_NAME = "credentials.vault";
    /** The name of the key file when it lives beside the vault. */
    public static final String KEY_FILE_NAME = "vault.key";
    /** Larger files are not read: no vault comes close. */
    static final long MAX_FILE_BYTES = VaultFile.HEADER_BYTES + VaultFile.MAX_PLAINTEXT_BYTES + VaultFile.TAG_BYTES;

    private final Path vaultFile;
    private final KeyFile keyFile;
    private final Path machineIdFile;
    private final Consumer<String> warnings;
    private final SecureRandom random;
    private final Clock clock;

    private final IdentityPublisher identity;

    private String lastProblem;
    /** The Device ID provisioning marked as confirmed, or null; in memory only, guarded by this. */
    private String confirmed;

    /**
     * @param vaultFile the encrypted file, for example {@code /var/lib/edgeflow/vault/credentials.vault}
     * @param keyFile the key file, for example {@code /var/lib/edgeflow/vault/vault.key}
     * @param machineIdFile the machine identity, normally {@code /etc/machine-id}; null for no binding
     * @param warnings where warnings go: permission fixes, files moved aside, a newly unreadable vault
     */
    public VaultStore(Path vaultFile, Path keyFile, Path machineIdFile, Consumer<String> warnings) {
        this(vaultFile, keyFile, machineIdFile, warnings, new IdentityPublisher(null));
    }

    /**
     * @param vaultFile as above
     * @param keyFile as above
     * @param machineIdFile as above
     * @param warnings as above
     * @param identity registers the {@code DeviceIdentity} while the stored credentials are marked as confirmed
     */
    public VaultStore(Path vaultFile, Path keyFile, Path machineIdFile, Consumer<String> warnings,
            IdentityPublisher identity) {
        this(vaultFile, keyFile, machineIdFile, warnings, new SecureRandom(), Clock.systemUTC(), identity);
    }

    VaultStore(Path vaultFile, Path keyFile, Path machineIdFile, Consumer<String> warnings, SecureRandom random,
            Clock clock) {
        this(vaultFile, keyFile, machineIdFile, warnings, random, clock, new IdentityPublisher(null));
    }

    VaultStore(Path vaultFile, Path keyFile, Path machineIdFile, Consumer<String> warnings, SecureRandom random,
            Clock clock, IdentityPublisher identity) {
        this.identity = identity;
        this.vaultFile = vaultFile.toAbsolutePath();
        this.keyFile = new KeyFile(keyFile.toAbsolutePath(), warnings);
        this.machineIdFile = machineIdFile;
        this.warnings = warnings;
        this.random = random;
        this.clock = clock;
    }

    Path vaultFile() {
        return vaultFile;
    }

    Path keyFile() {
        return keyFile.path();
    }

    @Override
    public synchronized Optional<DeviceCredentials> load() throws VaultException {
        return Optional.ofNullable(readable("read the credentials").credentials());
    }

    @Override
    public synchronized Optional<String> pendingRequestId() throws VaultException {
        VaultContents contents = readable("read the pending registration");
        contents.destroy();
        return Optional.ofNullable(contents.pendingRequestId());
    }

    /*
     * The identity is registered and unregistered outside this object's lock: a service event runs Declarative
     * Services at once on this thread, which may deactivate the tunnel, whose threads may be waiting for this lock.
     */

    @Override
    public void store(DeviceCredentials credentials) throws VaultException {
        Objects.requireNonNull(credentials, "credentials");
        VaultContents.validate(credentials);
        String marked = confirmed();
        if (marked != null && !marked.equals(credentials.deviceId())) {
            // other credentials, not confirmed yet: the identity goes before they are written
            withdrawConfirmation();
        }
        synchronized (this) {
            update("store the credentials", true, contents -> contents.withCredentials(credentials));
        }
        if (credentials.deviceId().equals(confirmed())) {
            identity.publish(credentials.deviceId(), credentials.expiresAt()); // the same device: its new expiry
        }
    }

    @Override
    public void markConfirmed(String deviceId) throws VaultException {
        java.time.Instant expiresAt;
        synchronized (this) {
            if (deviceId.equals(confirmed)) {
                return;
            }
            VaultContents contents = readable("read the credentials to confirm");
            DeviceCredentials stored = contents.credentials();
            try {
                if (stored == null || !deviceId.equals(stored.deviceId())) {
                    throw new VaultException(VaultException.INVALID_CREDENTIALS, "the vault holds no credentials of "
                            + deviceId + " to mark as confirmed");
                }
                expiresAt = stored.expiresAt();
                confirmed = deviceId;
            } finally {
                contents.destroy();
            }
        }
        identity.publish(deviceId, expiresAt);
    }

    @Override
    public void withdrawConfirmation() {
        synchronized (this) {
            confirmed = null;
        }
        identity.withdraw();
    }

    private synchronized String confirmed() {
        return confirmed;
    }

    /** @return the identity registered from the confirmation mark now, or null */
    io.edgeflow.api.provisioning.DeviceIdentity identity() {
        return identity.current();
    }

    @Override
    public synchronized void storePendingRequestId(String requestId) throws VaultException {
        VaultContents.validateRequestId(requestId);
        update("keep the registration request", true, contents -> contents.withPendingRequestId(requestId));
    }

    @Override
    public synchronized void clearPendingRequestId() throws VaultException {
        update("forget the registration request", false,
                contents -> contents.pendingRequestId() == null ? contents : contents.withPendingRequestId(null));
    }

    @Override
    public void clear() throws VaultException {
        withdrawConfirmation();
        synchronized (this) {
            clearContents();
        }
    }

    private void clearContents() throws VaultException {
        update("clear the credentials", true, contents -> VaultContents.EMPTY);
    }

    @Override
    public synchronized VaultStatus status() {
        Reading reading;
        try {
            reading = read();
        } catch (RuntimeException e) {
            // a defect, not the file's fault: reported, never thrown at the status API
            return VaultStatus.unavailable("the vault could not be read (" + e.getClass().getSimpleName() + ")");
        }
        if (reading instanceof Readable r) {
            VaultContents contents = r.contents();
            contents.destroy();
            DeviceCredentials credentials = contents.credentials();
            return credentials == null
                    ? new VaultStatus(VaultState.EMPTY, null, null, contents.pendingRequestId() != null, null)
                    : new VaultStatus(VaultState.STORED, credentials.deviceId(), credentials.expiresAt(),
                            contents.pendingRequestId() != null, null);
        }
        if (reading instanceof Corrupt c) {
            return VaultStatus.corrupt(c.reason());
        }
        if (reading instanceof Unavailable u) {
            return VaultStatus.unavailable(u.reason());
        }
        return VaultStatus.empty();
    }

    /** Reads the contents, or fails the way {@link CredentialVault#load()} documents. */
    private VaultContents readable(String what) throws VaultException {
        Reading reading = read();
        if (reading instanceof Readable r) {
            return r.contents();
        }
        if (reading instanceof Corrupt c) {
            throw unreadable(c);
        }
        if (reading instanceof Unavailable u) {
            throw new VaultException(VaultException.VAULT_IO_ERROR, "Could not " + what + ": " + u.reason());
        }
        return VaultContents.EMPTY;
    }

    /**
     * Reads, changes and writes back the contents.
     *
     * @param what the operation, for messages
     * @param replacesUnreadable true if the change brings new contents, so an unreadable vault is moved
     *        aside and the change applied to an empty one; false if it must fail instead
     * @param change the change; returns its argument to mean "nothing to write"
     */
    private void update(String what, boolean replacesUnreadable, UnaryOperator<VaultContents> change)
            throws VaultException {
        Reading reading = read();
        VaultContents current = VaultContents.EMPTY;
        boolean exists = true;
        if (reading instanceof Unavailable u) {
            throw new VaultException(VaultException.VAULT_IO_ERROR, "Could not " + what + ": " + u.reason());
        } else if (reading instanceof Corrupt c) {
            if (!replacesUnreadable) {
                throw unreadable(c);
            }
            try {
                Path aside = DurableFiles.moveAside(vaultFile, "corrupt", clock);
                warnings.accept("Credential vault " + vaultFile + " could not be read (" + c.reason()
                        + "); moved aside to " + aside + " to " + what);
            } catch (IOException e) {
                throw new VaultException(VaultException.VAULT_IO_ERROR, "Could not " + what
                        + ": the unreadable vault could not be moved aside (" + describe(e) + ")");
            }
            exists = false;
        } else if (reading instanceof Readable r) {
            current = r.contents();
        } else {
            exists = false;
        }
        try {
            VaultContents next = change.apply(current);
            if (next == current && exists) {
                return;
            }
            if (next.isEmpty()) {
                if (exists) {
                    DurableFiles.delete(vaultFile);
                }
                return;
            }
            write(next);
        } catch (IOException e) {
            throw new VaultException(VaultException.VAULT_IO_ERROR,
                    "Could not " + what + " in " + vaultFile + ": " + describe(e));
        } finally {
            current.destroy();
        }
    }

    private void write(VaultContents contents) throws IOException {
        DurableFiles.ensurePrivateDirectory(vaultFile.getParent(), warnings);
        byte[] key = null;
        byte[] plaintext = null;
        VaultKeys keys = null;
        try {
            key = keyFile.readOrCreate(random, clock);
            keys = VaultKeys.derive(key, MachineIdentity.read(machineIdFile));
            plaintext = contents.encode();
            DurableFiles.replace(vaultFile, VaultFile.seal(keys, plaintext, random));
        } finally {
            VaultKeys.wipe(key);
            VaultKeys.wipe(plaintext);
            if (keys != null) {
                keys.destroy();
            }
        }
    }

    private Reading read() {
        Reading reading = readOnce();
        String problem = reading instanceof Corrupt c ? "cannot be read: " + c.reason()
                : reading instanceof Unavailable u ? "is unavailable: " + u.reason() : null;
        if (problem != null && !problem.equals(lastProblem)) {
            warnings.accept("Credential vault " + vaultFile + " " + problem);
        }
        lastProblem = problem;
        return reading;
    }

    private Reading readOnce() {
        byte[] file;
        try {
            long size = Files.size(vaultFile);
            if (size > MAX_FILE_BYTES) {
                return new Corrupt(new UnreadableVaultException(UnreadableVaultException.Problem.MALFORMED,
                        "the vault file has " + size + " bytes, more than any vault (" + MAX_FILE_BYTES + ")"));
            }
            file = Files.readAllBytes(vaultFile);
        } catch (NoSuchFileException e) {
            return Absent.INSTANCE;
        } catch (IOException e) {
            return new Unavailable("the vault file " + vaultFile + " cannot be read (" + describe(e) + ")");
        }
        byte[] key = null;
        byte[] plaintext = null;
        VaultKeys keys = null;
        try {
            VaultFile.checkHeader(file); // a foreign or future file is reported as such, key or no key
            key = keyFile.read();
            keys = VaultKeys.derive(key, MachineIdentity.read(machineIdFile));
            plaintext = VaultFile.open(keys, file);
            return new Readable(VaultContents.decode(plaintext));
        } catch (UnreadableVaultException e) {
            return new Corrupt(e);
        } catch (IOException e) {
            return new Unavailable("the key file or machine identity cannot be read (" + describe(e) + ")");
        } finally {
            VaultKeys.wipe(key);
            VaultKeys.wipe(plaintext);
            if (keys != null) {
                keys.destroy();
            }
        }
    }

    private VaultException unreadable(Corrupt c) {
        return new VaultException(VaultException.CREDENTIALS_UNREADABLE,
                "The stored device credentials cannot be read: " + c.reason() + ". The file " + vaultFile
                        + " is kept as it is; it is moved aside when new credentials are stored.");
    }

    /** An I/O failure in words: which file and why; I/O messages hold paths, never file contents. */
    static String describe(IOException e) {
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
            return (f.getFile() != null ? f.getFile() + ": " : "") + reason;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** What a read found. */
    private sealed interface Reading permits Absent, Readable, Corrupt, Unavailable {
    }

    private enum Absent implements Reading {
        INSTANCE
    }

    private record Readable(VaultContents contents) implements Reading {
    }

    private record Corrupt(UnreadableVaultException problem) implements Reading {
        String reason() {
            return problem.getMessage();
        }
    }

    private record Unavailable(String reason) implements Reading {
    }
}
