package io.edgeflow.config.encryption.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

import io.edgeflow.keyfile.KeyFile;

/**
 * The key file secrets in Config Admin are encrypted with: 32 random bytes, created on first use as a new
 * file of mode 0600 (written to a temporary file, flushed, then hard-linked into place, so two writers can never
 * replace each other's key), as the credential vault keeps its key (docs/vault-format.md).
 */
final class ConfigurationKey {
    static final int SIZE = 32;

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
        return KeyFile.readOrCreate(file, SIZE, random);
    }
}
