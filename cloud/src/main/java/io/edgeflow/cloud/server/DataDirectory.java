package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

import io.edgeflow.cloud.FilePermissions;

/**
 * The server's data directory (mode 0700): the database, the TLS files, the admin token hand-over file
 * and the key provisioning codes are hashed with.
 */
public final class DataDirectory implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DataDirectory.class);
    /** The key provisioning codes are hashed with (HMAC-SHA-256), kept apart from the database. */
    public static final String CODE_HASH_KEY = "code-hash.key";

    /** Held by the running server, so that a second server cannot write the same database. */
    public static final String LOCK_FILE = "server.lock";

    private final Path dir;
    private final java.nio.channels.FileChannel lockChannel;
    private final java.nio.channels.FileLock lock;

    /**
     * Opens the directory for one server: creates it with mode 0700 if missing and locks it.
     *
     * @param dir the directory
     * @throws IOException if it cannot be created, or another server holds it
     */
    public DataDirectory(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        boolean existed = Files.isDirectory(this.dir);
        FilePermissions.createPrivateDirectory(this.dir);
        if (existed) {
            warnIfOpen(this.dir);
        }
        if (!Files.isWritable(this.dir)) {
            throw new IOException("Data directory " + this.dir + " is not writable");
        }
        Path lockFile = this.dir.resolve(LOCK_FILE);
        this.lockChannel = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock held;
        try {
            held = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            lockChannel.close();
            throw new IOException("Another EdgeFlow cloud server is using the data directory " + this.dir
                    + "; stop it first, or give this one another --data-dir");
        }
        this.lock = held;
    }

    /**
     * A directory the operator made beforehand is left as it is (it may be shared on purpose, with a backup
     * group), but its files hold keys: say so at every start until it is tightened.
     */
    private static void warnIfOpen(Path dir) throws IOException {
        String mode = FilePermissions.mode(dir);
        if (mode != null && !mode.substring(3).equals("------")) {
            LOG.warn("The data directory {} has mode {}: other users may reach the keys in it; "
                    + "restrict it with 'chmod 700 {}'", dir, mode, dir);
        }
    }

    /** Releases the directory for another server. */
    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the process is stopping; the operating system drops the lock with it
        }
    }

    /** @return the directory */
    public Path path() {
        return dir;
    }

    /**
     * Loads the code hashing key, creating it on first start. Without it stored codes cannot be checked:
     * keep it with the database in backups.
     *
     * @param random the source of randomness
     * @return 32 bytes
     * @throws IOException if it cannot be read or written
     */
    public byte[] codeHashKey(SecureRandom random) throws IOException {
        Path file = dir.resolve(CODE_HASH_KEY);
        if (Files.exists(file)) {
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            if (key.length < 32) {
                throw new IOException(file + " is damaged: expected 32 bytes in base64, found " + key.length);
            }
            return key;
        }
        byte[] key = new byte[32];
        random.nextBytes(key);
        FilePermissions.writeAtomically(file,
                (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII), true);
        return key;
    }
}
