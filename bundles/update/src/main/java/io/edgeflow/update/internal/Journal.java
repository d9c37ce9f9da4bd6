package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.edgeflow.json.JsonCodec;

/**
 * The update bundle's files below {@code <data_dir>/updates/}: one journal file per deployment
 * ({@code journal/<id>.json}, written atomically: temporary file, fsync, rename, fsync of the directory), the
 * downloaded artifacts ({@code artifacts/<sha256>.jar}, {@code .part} while downloading) and the saved copies of
 * the bundles a deployment replaces ({@code saved/<id>/}). Directories are 0700, files 0600 where the file system
 * has POSIX permissions.
 * <p>
 * Threading: not thread-safe; only the deployment engine's thread writes, the local API's reads go through the
 * engine's own copy of the records.
 */
final class Journal {
    /** Records kept: the last this many deployments; older ones are deleted with their files. */
    static final int KEPT = 20;
    private static final JsonCodec JSON = JsonCodec.withLimits(32, 1 << 20);

    private final Path root;
    private final Consumer<String> warn;

    /**
     * @param root {@code <data_dir>/updates}
     * @param warn where to say that a journal file could not be read (never a secret: the journal holds none)
     */
    Journal(Path root, Consumer<String> warn) {
        this.root = root;
        this.warn = warn;
    }

    Path root() {
        return root;
    }

    Path artifactsDir() throws IOException {
        return directory(root.resolve("artifacts"));
    }

    /** @return where an operation's downloaded and verified artifact is kept */
    Path artifact(Operation op) throws IOException {
        return artifactsDir().resolve(op.sha256() + ".jar");
    }

    Path savedDir(String deploymentId) throws IOException {
        return directory(root.resolve("saved").resolve(deploymentId));
    }

    /**
     * Writes one record atomically: afterwards the journal holds the old record or the new one, even after a crash
     * or power cut.
     *
     * @param record the record
     * @throws IOException if it could not be written; the caller must not go on with the step it journals
     */
    void write(DeploymentRecord record) throws IOException {
        Path dir = directory(root.resolve("journal"));
        writeAtomically(dir.resolve(record.id() + ".json"), JSON.writePretty(record.toJournalJson()));
    }

    /**
     * @return every readable record, oldest first (by the time of its last change); an unreadable file is reported
     *         and skipped
     */
    List<DeploymentRecord> readAll() {
        Path dir = root.resolve("journal");
        List<DeploymentRecord> records = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    Map<String, Object> json = JSON.readObject(Files.readAllBytes(file));
                    records.add(DeploymentRecord.fromJournalJson(json));
                } catch (IOException | RuntimeException e) {
                    warn.accept("Updates: journal file " + file + " is unreadable and ignored (" + e.getMessage()
                            + ")");
                }
            }
        } catch (IOException e) {
            warn.accept("Updates: the journal " + dir + " cannot be read (" + e.getMessage() + ")");
        }
        records.sort(Comparator.comparing(DeploymentRecord::updatedAt));
        return records;
    }

    /**
     * Deletes the files a finished deployment no longer needs: its saved copies and its artifacts.
     *
     * @param record a deployment in an end state
     */
    void cleanUp(DeploymentRecord record) {
        deleteTree(root.resolve("saved").resolve(record.id()));
        for (Operation op : record.request().operations()) {
            if (op.hasArtifact()) {
                deleteQuietly(root.resolve("artifacts").resolve(op.sha256() + ".jar"));
                deleteQuietly(root.resolve("artifacts").resolve(op.sha256() + ".part"));
            }
        }
    }

    /**
     * Deletes the records beyond the last {@link #KEPT} that are in an end state.
     *
     * @param records every record, oldest first
     * @return the ids deleted
     */
    List<String> prune(List<DeploymentRecord> records) {
        List<String> deleted = new ArrayList<>();
        int excess = records.size() - KEPT;
        for (DeploymentRecord r : records) {
            if (excess <= 0) {
                break;
            }
            if (r.state().isEnd() && !r.needsReport()) {
                deleteQuietly(root.resolve("journal").resolve(r.id() + ".json"));
                cleanUp(r);
                deleted.add(r.id());
                excess--;
            }
        }
        return deleted;
    }

    /** Creates a directory (and its parents) with owner-only permissions where supported. */
    static Path directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: its own defaults apply
            }
        }
        return dir;
    }

    /** Writes a file atomically: a temporary file beside it, fsync, rename, fsync of the directory. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.getParent());
    }

    /** Makes a rename durable; a file system that cannot open a directory for it is left to its own guarantees. */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows and some file systems cannot fsync a directory
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left for the next clean-up
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(Journal::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            // left for the next clean-up
        }
    }

    /** @return true if the exception says the disk is full or read-only: worth its own message */
    static boolean isStorageProblem(IOException e) {
        return e instanceof FileSystemException;
    }
}
