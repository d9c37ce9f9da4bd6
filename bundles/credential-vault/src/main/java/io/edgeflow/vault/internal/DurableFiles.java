package io.edgeflow.vault.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * File operations that survive a crash or power cut at any moment: a file is replaced by writing a
 * temporary file in the same directory, flushing it to disk, renaming it over the old one (atomic on
 * POSIX file systems) and flushing the directory, so the rename itself is on disk.
 */
final class DurableFiles {
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final String TEMP_SUFFIX = ".tmp";

    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private DurableFiles() {
    }

    /**
     * Replaces {@code target} with {@code bytes}, atomically and durably, as a file only its owner can
     * read. The temporary file is {@code target + ".tmp"}; one left behind by a crash is replaced.
     *
     * @param target the file
     * @param bytes its new contents
     * @throws IOException if it could not be written; the old file is then unchanged
     */
    static void replace(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        writeNew(temp, bytes);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE); // rename(2) replaces atomically
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        syncDirectory(target.getParent());
    }

    /**
     * Creates {@code target} with {@code bytes} unless it exists, atomically and durably, as a file only
     * its owner can read. Nothing is ever replaced: a concurrent creator wins and this call fails.
     *
     * @param target the file
     * @param bytes its contents
     * @param random a unique suffix for the temporary file
     * @throws FileAlreadyExistsException if the file exists
     * @throws IOException if it could not be written
     */
    static void createNew(Path target, byte[] bytes, String random) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX + "-" + random);
        writeNew(temp, bytes);
        try {
            try {
                Files.createLink(target, temp); // link(2) fails if the target exists
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (IOException | UnsupportedOperationException e) {
                // no hard links on this file system (FAT, some FUSE): a move that refuses to replace
                Files.move(temp, target);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(target.getParent());
    }

    /**
     * Moves a file aside, to {@code name.<label>-<UTC timestamp>}, never replacing anything.
     *
     * @param file the file
     * @param label for example {@code corrupt}
     * @param clock the time of the stamp
     * @return where it went
     * @throws IOException if it could not be moved
     */
    static Path moveAside(Path file, String label, Clock clock) throws IOException {
        String base = file.getFileName() + "." + label + "-" + ASIDE_STAMP.format(clock.instant());
        Path aside = file.resolveSibling(base);
        for (int i = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); i++) {
            aside = file.resolveSibling(base + "-" + i);
        }
        Files.move(file, aside);
        syncDirectory(file.getParent());
        return aside;
    }

    /**
     * Deletes a file durably.
     *
     * @param file the file
     * @return true if it existed
     * @throws IOException if it could not be deleted
     */
    static boolean delete(Path file) throws IOException {
        boolean deleted = Files.deleteIfExists(file);
        if (deleted) {
            syncDirectory(file.getParent());
        }
        return deleted;
    }

    /**
     * Creates a directory (and its missing parents) that only its owner can enter; tightens an existing
     * one that group or others can reach, with a warning.
     *
     * @param directory the directory
     * @param warnings where a warning goes
     * @throws IOException if it cannot be created
     */
    static void ensurePrivateDirectory(Path directory, Consumer<String> warnings) throws IOException {
        if (Files.isDirectory(directory)) {
            if (isPosix(directory)) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
                if (openToOthers(permissions)) {
                    Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
                    warnings.accept("Vault directory " + directory + " was open to group or others ("
                            + PosixFilePermissions.toString(permissions) + "); tightened to rwx------");
                }
            }
            return;
        }
        createDirectories(directory);
    }

    /** Creates a directory and its missing parents, each only its owner can enter. */
    static void createDirectories(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        if (isPosix(absolute.getRoot())) {
            Files.createDirectories(absolute, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } else {
            Files.createDirectories(absolute);
        }
    }

    static boolean openToOthers(Set<PosixFilePermission> permissions) {
        for (PosixFilePermission p : permissions) {
            switch (p) {
                case OWNER_READ, OWNER_WRITE, OWNER_EXECUTE -> {
                }
                default -> {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean isPosix(Path path) {
        return path != null && path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Writes a new file (never an existing one) only its owner can read, and flushes it to disk. */
    private static void writeNew(Path file, byte[] bytes) throws IOException {
        Files.deleteIfExists(file); // a temporary file left behind by a crash
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileAttribute<?>[] attributes = isPosix(file.getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(file, options, attributes)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Flushes a directory, so a rename or create in it is on disk. Linux allows this; file systems that
     * cannot (opening a directory fails) are left to their own guarantees.
     */
    static void syncDirectory(Path directory) throws IOException {
        if (directory == null) {
            return;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return; // not possible on this platform
        }
        try (channel) {
            channel.force(true);
        }
    }
}
