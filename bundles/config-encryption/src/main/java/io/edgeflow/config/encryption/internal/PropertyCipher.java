package io.edgeflow.config.encryption.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts one property value with AES-256-GCM: a fresh 96-bit nonce per value, the PID and the property
 * name as associated data (so a value cannot be moved to another property or configuration unnoticed).
 * Stored as text, {@value #PREFIX}{@code <base64 of nonce, ciphertext and tag>}, so Config Admin's file format
 * needs no change.
 */
final class PropertyCipher {
    /** What an encrypted value begins with. */
    static final String PREFIX = "{edgeflow-aes-256-gcm:v1}";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random;

    /**
     * @param keyFile the 32 bytes of the key file; not kept (the AES key is derived from them)
     * @param random nonces
     */
    PropertyCipher(byte[] keyFile, SecureRandom random) {
        this.key = new SecretKeySpec(derive(keyFile), "AES");
        this.random = random;
    }

    /** AES key = HMAC-SHA256(key file, "edgeflow-config-aes-256-gcm"): the key file's bytes never key AES directly. */
    private static byte[] derive(byte[] keyFile) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keyFile, "HmacSHA256"));
            return mac.doFinal("edgeflow-config-aes-256-gcm".getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** @return true if the value is the output of {@link #encrypt} */
    static boolean isEncrypted(Object value) {
        return value instanceof String s && s.startsWith(PREFIX);
    }

    String encrypt(String pid, String property, String value) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(pid, property));
            byte[] sealed = cipher.doFinal(plain);
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE + sealed.length).put(nonce)
                    .put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every Java runtime", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * @return the value
     * @throws GeneralSecurityException if it does not authenticate: another key, another property, or damage
     */
    String decrypt(String pid, String property, String stored) throws GeneralSecurityException {
        byte[] data;
        try {
            data = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("not base64");
        }
        if (data.length < NONCE + TAG_BITS / 8) {
            throw new GeneralSecurityException("too short");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE));
        cipher.updateAAD(associatedData(pid, property));
        byte[] plain = cipher.doFinal(data, NONCE, data.length - NONCE);
        try {
            return new String(plain, StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static byte[] associatedData(String pid, String property) {
        return (PREFIX + pid + "\0" + property).getBytes(StandardCharsets.UTF_8);
    }
}
