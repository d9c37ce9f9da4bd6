package io.edgeflow.config.encryption.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The key file secrets in Config Admin are encrypted with: 32 random bytes, created on first use as a new
 * file of mode 0600 (written to a temporary file, flushed, then hard-linked into place, so two writers can never
 * replace each other's key), as the credential vault keeps its key (docs/vault-format.md).
 */
final class ConfigurationKey {
    static final int SIZE = 32;
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private ConfigurationKey() {
    }

    /**
     * Reads the key, creating it if the file does not exist.
     *
     * @param file the key file
     * @param random where a new key comes from
     * @return the 32 key bytes; the caller wipes them
     * @throws IOException if the file cannot be read or created, or does not hold 32 bytes
     */
    static byte[] readOrCreate(Path file, SecureRandom random) throws IOException {
        if (!Files.exists(file)) {
            create(file, random);
        }
        byte[] key = Files.readAllBytes(file);
        if (key.length != SIZE) {
            Arrays.fill(key, (byte) 0);
            throw new IOException("the key file " + file + " holds " + key.length + " bytes, not a " + SIZE
                    + "-byte key");
        }
        if (POSIX) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> !p.name().startsWith("OWNER"))) {
                Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE));
            }
        }
        return key;
    }

    private static void create(Path file, SecureRandom random) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            if (POSIX) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        Path temp = dir.resolve(file.getFileName() + ".new-" + Long.toHexString(random.nextLong()));
        byte[] key = new byte[SIZE];
        random.nextBytes(key);
        try {
            try (FileChannel channel = POSIX
                    ? FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(key));
                channel.force(true);
            }
            try {
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException e) {
                // another writer was first: its key is the key
            }
        } finally {
            Arrays.fill(key, (byte) 0);
            Files.deleteIfExists(temp);
        }
    }
}
