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
public final class DataDirectory {
    /** The key provisioning codes are hashed with (HMAC-SHA-256), kept apart from the database. */
    public static final String CODE_HASH_KEY = "code-hash.key";

    private final Path dir;

    /**
     * @param dir the directory; created with mode 0700 if missing
     * @throws IOException if it cannot be created
     */
    public DataDirectory(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        FilePermissions.createPrivateDirectory(this.dir);
        if (!Files.isWritable(this.dir)) {
            throw new IOException("Data directory " + this.dir + " is not writable");
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
