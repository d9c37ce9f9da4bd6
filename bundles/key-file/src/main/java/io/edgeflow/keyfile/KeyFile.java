package io.edgeflow.keyfile;

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

/**
 * A random key kept in a file of its own: created on first use as a new file of mode 0600 (in a directory created
 * 0700 if it is missing), written to a temporary file, flushed, then hard-linked into place, so two writers can
 * never replace each other's key and a crash never leaves half a key. A key file that group or others can read is
 * tightened to 0600 when it is read.
 */
public final class KeyFile {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private KeyFile() {
    }

    /**
     * Reads the key, creating it if the file does not exist.
     *
     * @param file the key file
     * @param size the key's length in bytes
     * @param random where a new key comes from
     * @return the key bytes; the caller wipes them
     * @throws IOException if the file cannot be read or created, or does not hold {@code size} bytes
     */
    public static byte[] readOrCreate(Path file, int size, SecureRandom random) throws IOException {
        if (!Files.exists(file)) {
            create(file, size, random);
        }
        byte[] key = Files.readAllBytes(file);
        if (key.length != size) {
            Arrays.fill(key, (byte) 0);
            throw new IOException("the key file " + file + " holds " + key.length + " bytes, not a " + size
                    + "-byte key");
        }
        if (POSIX && Files.getPosixFilePermissions(file).stream().anyMatch(p -> !p.name().startsWith("OWNER"))) {
            Files.setPosixFilePermissions(file,
                    EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
        return key;
    }

    private static void create(Path file, int size, SecureRandom random) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            if (POSIX) {
                Files.createDirectories(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        Path temp = dir.resolve(file.getFileName() + ".new-" + Long.toHexString(random.nextLong()));
        byte[] key = new byte[size];
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
