package io.edgeflow.vault.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.security.auth.Destroyable;

/**
 * The keys of one vault operation, derived with HKDF-SHA256 (RFC 5869) from the key file and the
 * machine identity, so that a vault and its key file copied to another machine do not open there:
 * <pre>
 * PRK           = HKDF-Extract(salt = "edgeflow-vault-v1", IKM = key file)
 * key id        = HKDF-Expand(PRK, "key-id", 8)
 * AES-256 key   = HKDF-Expand(PRK, "aes-256-gcm" || 0x00 || machine identity, 32)
 * machine check = HKDF-Expand(PRK, "machine-check" || 0x00 || machine identity, 8)
 * </pre>
 * The key id and machine check are stored in the file's header; they are outputs of a keyed function,
 * so they reveal neither the key nor the machine identity, and they let a failure say which of the two
 * differs. Destroy the keys in a {@code finally} block.
 */
final class VaultKeys implements Destroyable {
    static final int KEY_ID_BYTES = 8;
    static final int MACHINE_CHECK_BYTES = 8;
    static final int AES_KEY_BYTES = 32;

    private static final byte[] SALT = "edgeflow-vault-v1".getBytes(StandardCharsets.US_ASCII);
    private static final String HMAC = "HmacSHA256";

    private final RawKey encryptionKey;
    private final byte[] keyId;
    private final byte[] machineCheck;

    private VaultKeys(RawKey encryptionKey, byte[] keyId, byte[] machineCheck) {
        this.encryptionKey = encryptionKey;
        this.keyId = keyId;
        this.machineCheck = machineCheck;
    }

    /**
     * @param keyFileBytes the 256 bits of the key file; not kept, the caller wipes them
     * @param machineIdentity the machine identity (may be empty); not kept
     * @return the derived keys
     */
    static VaultKeys derive(byte[] keyFileBytes, byte[] machineIdentity) {
        byte[] prk = null;
        byte[] aes = null;
        RawKey prkKey = null;
        try {
            prk = extract(SALT, keyFileBytes);
            prkKey = new RawKey(prk, HMAC);
            byte[] keyId = expand(prkKey, info("key-id", null), KEY_ID_BYTES);
            aes = expand(prkKey, info("aes-256-gcm", machineIdentity), AES_KEY_BYTES);
            byte[] machineCheck = expand(prkKey, info("machine-check", machineIdentity), MACHINE_CHECK_BYTES);
            return new VaultKeys(new RawKey(aes, "AES"), keyId, machineCheck);
        } finally {
            wipe(prk);
            wipe(aes);
            if (prkKey != null) {
                prkKey.destroy();
            }
        }
    }

    /** @return the AES-256 key; owned by this object, destroyed with it */
    RawKey encryptionKey() {
        return encryptionKey;
    }

    /** @return a copy of the key id */
    byte[] keyId() {
        return keyId.clone();
    }

    /** @return a copy of the machine check */
    byte[] machineCheck() {
        return machineCheck.clone();
    }

    /** Compares in constant time, so timing reveals nothing about the stored value. */
    boolean keyIdMatches(byte[] candidate) {
        return MessageDigest.isEqual(keyId, candidate);
    }

    /** Compares in constant time. */
    boolean machineCheckMatches(byte[] candidate) {
        return MessageDigest.isEqual(machineCheck, candidate);
    }

    @Override
    public void destroy() {
        encryptionKey.destroy();
        wipe(keyId);
        wipe(machineCheck);
    }

    @Override
    public boolean isDestroyed() {
        return encryptionKey.isDestroyed();
    }

    @Override
    public String toString() {
        return "VaultKeys[AES-256, HKDF-SHA256]";
    }

    /** HKDF-Extract (RFC 5869 section 2.2): PRK = HMAC-Hash(salt, IKM). The caller wipes the result. */
    static byte[] extract(byte[] salt, byte[] ikm) {
        RawKey saltKey = new RawKey(salt, HMAC);
        try {
            return hmac(saltKey, ikm);
        } finally {
            saltKey.destroy();
        }
    }

    /** HKDF-Expand (RFC 5869 section 2.3): T(i) = HMAC-Hash(PRK, T(i-1) || info || i). */
    static byte[] expand(RawKey prk, byte[] info, int length) {
        if (length < 1 || length > 255 * 32) {
            throw new IllegalArgumentException("HKDF-SHA256 output length must be 1 to 8160 bytes");
        }
        byte[] okm = new byte[length];
        byte[] previous = new byte[0];
        try {
            for (int i = 1, done = 0; done < length; i++) {
                byte[] message = new byte[previous.length + info.length + 1];
                System.arraycopy(previous, 0, message, 0, previous.length);
                System.arraycopy(info, 0, message, previous.length, info.length);
                message[message.length - 1] = (byte) i;
                wipe(previous);
                previous = hmac(prk, message);
                wipe(message);
                int n = Math.min(previous.length, length - done);
                System.arraycopy(previous, 0, okm, done, n);
                done += n;
            }
            return okm;
        } finally {
            wipe(previous);
        }
    }

    private static byte[] info(String label, byte[] machineIdentity) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        if (machineIdentity == null) {
            return l;
        }
        byte[] info = Arrays.copyOf(l, l.length + 1 + machineIdentity.length);
        System.arraycopy(machineIdentity, 0, info, l.length + 1, machineIdentity.length);
        return info;
    }

    private static byte[] hmac(RawKey key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    static void wipe(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
