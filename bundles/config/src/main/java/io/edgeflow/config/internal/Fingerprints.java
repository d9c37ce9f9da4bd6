package io.edgeflow.config.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.edgeflow.keyfile.KeyFile;

/**
 * Keyed fingerprints of imported values: HMAC-SHA256 under a random 256-bit key of this installation, kept in a
 * file of mode 0600 beside the fingerprints. The import remembers what it imported last without keeping the
 * values, and a fingerprint tells nothing about a value to someone without the key: a provisioning code has
 * only 40 bits, 20 of them once the log has shown its last four symbols, so an unkeyed hash of it is reversed
 * by trying every code; with the key, the fingerprint file alone (a backup, a support bundle) gives nothing to
 * try against.
 */
final class Fingerprints {
    /** What a keyed fingerprint begins with; remembered fingerprints without it are the unkeyed ones of 0.1. */
    static final String KEYED = "h1:";
    static final int KEY_SIZE = 32;
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final SecretKeySpec key;

    /** @param key the installation's key, 32 bytes; copied */
    Fingerprints(byte[] key) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("a fingerprint key has " + KEY_SIZE + " bytes");
        }
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /**
     * @param setting the setting
     * @param value its value as stored in Config Admin
     * @return the keyed fingerprint
     */
    String of(Setting setting, Object value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(setting.variable().getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(text(value).getBytes(StandardCharsets.UTF_8));
            return KEYED + HexFormat.of().formatHex(mac.doFinal(), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * @param remembered a fingerprint remembered from an earlier import, keyed or (from 0.1) not
     * @return true if it is the fingerprint of this value
     */
    boolean matches(String remembered, Setting setting, Object value) {
        if (remembered == null) {
            return false;
        }
        String expected = remembered.startsWith(KEYED) ? of(setting, value) : unkeyed(setting, value);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                remembered.getBytes(StandardCharsets.US_ASCII));
    }

    /** The fingerprint of version 0.1, read once to recognise what an earlier version imported; never written. */
    static String unkeyed(Setting setting, Object value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(setting.variable().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * Reads this installation's key, creating it on first use: 32 bytes from {@code SecureRandom}, a new file of
     * mode 0600 (written to a temporary file, flushed, then hard-linked into place).
     *
     * @param file the key file
     * @param random where a new key comes from
     * @return the fingerprints under that key
     * @throws IOException if the file cannot be read or created, or does not hold a key
     */
    static Fingerprints load(Path file, SecureRandom random) throws IOException {
        byte[] key = KeyFile.readOrCreate(file, KEY_SIZE, random);
        try {
            return new Fingerprints(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** A value as text: a list by its elements (a String[] has no value-based toString). */
    static String text(Object value) {
        return value instanceof Object[] array ? Arrays.toString(array) : String.valueOf(value);
    }
}
