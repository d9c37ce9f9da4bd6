package io.edgeflow.vault.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Consumer;

import io.edgeflow.vault.internal.UnreadableVaultException.Problem;

/**
 * The vault's key file: 256 random bits from {@link SecureRandom}, raw, created on first use as a
 * file only its owner can read (0600) in a directory only its owner can enter (0700). A key file that
 * group or others can read is tightened to 0600 with a warning each time it is read. The bytes are
 * never logged; callers wipe what {@link #read()} returns.
 */
final class KeyFile {
    /** The size of the key: 256 bits. */
    static final int KEY_BYTES = 32;

    private final Path path;
    private final Consumer<String> warnings;

    /**
     * @param path the key file
     * @param warnings where warnings go (permission fixes, a key moved aside)
     */
    KeyFile(Path path, Consumer<String> warnings) {
        this.path = path;
        this.warnings = warnings;
    }

    Path path() {
        return path;
    }

    /**
     * Reads the key, tightening the file's permissions first if group or others could read it.
     *
     * @return the 32 key bytes; the caller wipes them
     * @throws UnreadableVaultException {@link Problem#KEY_MISSING} or {@link Problem#KEY_INVALID}
     * @throws IOException if the file exists but cannot be read
     */
    byte[] read() throws UnreadableVaultException, IOException {
        try {
            tighten();
            long size = Files.size(path);
            if (size != KEY_BYTES) {
                throw invalid(size);
            }
            byte[] key = Files.readAllBytes(path);
            if (key.length != KEY_BYTES) {
                VaultKeys.wipe(key);
                throw invalid(key.length);
            }
            return key;
        } catch (NoSuchFileException e) {
            throw new UnreadableVaultException(Problem.KEY_MISSING, "the key file " + path
                    + " is missing, and the vault cannot be opened without the key it was written with");
        }
    }

    /**
     * Reads the key, creating it first if there is none. A key file of the wrong size is moved aside
     * (never deleted) and replaced.
     *
     * @param random the source of the key
     * @param clock the time stamp of a key file moved aside
     * @return the 32 key bytes; the caller wipes them
     * @throws IOException if the key could not be read or created
     */
    byte[] readOrCreate(SecureRandom random, Clock clock) throws IOException {
        try {
            return read();
        } catch (UnreadableVaultException e) {
            if (e.problem() == Problem.KEY_INVALID) {
                Path aside = DurableFiles.moveAside(path, "invalid", clock);
                warnings.accept("Key file " + path + " did not hold a 256-bit key; moved aside to " + aside
                        + " and replaced with a new key");
            }
        }
        Path directory = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            DurableFiles.createDirectories(directory);
        } else if (DurableFiles.isPosix(directory)) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                // Not changed: the operator may share this directory (/etc/edgeflow) with other files.
                warnings.accept("Key file directory " + directory + " can be written by group or others ("
                        + PosixFilePermissions.toString(permissions) + "): someone else could replace the key file");
            }
        }
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        byte[] suffix = new byte[6];
        random.nextBytes(suffix);
        try {
            DurableFiles.createNew(path, key, HexFormat.of().formatHex(suffix));
            return key;
        } catch (FileAlreadyExistsException e) {
            // another process created it meanwhile: use theirs
            VaultKeys.wipe(key);
            try {
                return read();
            } catch (UnreadableVaultException again) {
                throw new IOException(again.getMessage());
            }
        } catch (IOException | RuntimeException e) {
            VaultKeys.wipe(key);
            throw e;
        }
    }

    private void tighten() throws IOException {
        if (!DurableFiles.isPosix(path)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
        if (DurableFiles.openToOthers(permissions)) {
            Files.setPosixFilePermissions(path, DurableFiles.OWNER_ONLY_FILE);
            warnings.accept("Key file " + path + " was open to group or others ("
                    + PosixFilePermissions.toString(permissions) + "); tightened to rw-------");
        }
    }

    private UnreadableVaultException invalid(long size) {
        return new UnreadableVaultException(Problem.KEY_INVALID,
                "the key file " + path + " holds " + size + " bytes, not a " + KEY_BYTES + "-byte key");
    }
}
