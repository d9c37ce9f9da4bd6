package io.edgeflow.vault.internal;

import java.util.Arrays;

import javax.crypto.SecretKey;

/**
 * Key material that, unlike {@code SecretKeySpec} on Java 17, can be destroyed: {@link #destroy()}
 * overwrites the bytes. Providers take their own copy through {@link #getEncoded()}; that copy is out
 * of our reach, so a key object lives only for one operation.
 */
final class RawKey implements SecretKey {
    private static final long serialVersionUID = 1L;

    private final transient byte[] bytes;
    private final String algorithm;
    private volatile boolean destroyed;

    /**
     * @param bytes the key bytes; copied, so the caller wipes its own array
     * @param algorithm {@code AES} or {@code HmacSHA256}
     */
    RawKey(byte[] bytes, String algorithm) {
        this.bytes = bytes.clone();
        this.algorithm = algorithm;
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("the key was destroyed");
        }
        return bytes.clone();
    }

    @Override
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        // never the bytes
        return "RawKey[" + algorithm + ", " + bytes.length * 8 + " bits" + (destroyed ? ", destroyed" : "") + "]";
    }
}
