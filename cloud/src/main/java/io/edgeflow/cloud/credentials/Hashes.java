package io.edgeflow.cloud.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hashes the cloud stores instead of secrets, and constant-time comparison of them.
 * <ul>
 * <li>API keys and the admin token carry 260 random bits: a plain SHA-256 is enough.</li>
 * <li>Provisioning codes carry only 40 bits, which an offline search of a stolen database would
 * find: they are hashed with HMAC-SHA-256 under a key kept outside the database.</li>
 * </ul>
 */
public final class Hashes {
    private static final HexFormat HEX = HexFormat.of();

    private Hashes() {
    }

    /**
     * @param secret an API key or admin token
     * @return the lower-case hex SHA-256 of its UTF-8 bytes
     */
    public static String sha256(String secret) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * @param key the code hashing key
     * @param code the code
     * @return the lower-case hex HMAC-SHA-256 of the canonical code
     */
    public static String codeHash(byte[] key, ProvisioningCode code) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(code.value().getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * Compares two hashes in time that does not depend on where they differ.
     *
     * @param a one hex hash
     * @param b the other, may be null
     * @return true if equal
     */
    public static boolean equal(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
