package io.edgeflow.cloud;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files that hold secrets or state: created with owner-only permissions from the first byte, written
 * atomically (temp file, fsync, rename).
 */
public final class FilePermissions {
    private static final boolean POSIX = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("posix");

    private FilePermissions() {
    }

    /**
     * Creates a directory (and its parents) readable by its owner only, if it does not exist.
     *
     * @param dir the directory
     * @throws IOException if it cannot be created
     */
    public static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (POSIX) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(dir);
        }
    }

    /**
     * Creates an empty file with mode 0600.
     *
     * @param file the file, which must not exist
     * @throws IOException if it cannot be created
     */
    public static void createPrivateFile(Path file) throws IOException {
        if (POSIX) {
            Files.createFile(file, ownerOnly());
        } else {
            Files.createFile(file);
        }
    }

    /**
     * Writes a file atomically: a 0600 (or 0644 when {@code secret} is false) temporary file beside it,
     * fsync, then a rename over the target.
     *
     * @param file the file to write
     * @param content its content
     * @param secret true for owner-only permissions
     * @throws IOException if it cannot be written
     */
    public static void writeAtomically(Path file, byte[] content, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        FileAttribute<?>[] attributes = POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(secret ? Set.of(
                        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
                        : PosixFilePermissions.fromString("rw-r--r--"))}
                : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("Another process is writing " + file, e);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(dir);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can fsync a directory; the rename itself is what matters most
        }
    }

    /**
     * @param file a file
     * @return its mode as {@code rw-------}, or null where POSIX permissions do not exist
     * @throws IOException if it cannot be read
     */
    public static String mode(Path file) throws IOException {
        return POSIX ? PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) : null;
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE));
    }
}
