package io.edgeflow.tunnel.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import io.edgeflow.api.tunnel.RelayCredential;

/**
 * The tunnel's own credential for the requests it relays from the cloud to the local API: 256 random bits made when
 * the tunnel component activates, kept in memory only, sent only over loopback to the local API and checked there
 * through {@link RelayCredential}. It is never logged (see {@link #toString()}), never sent to the cloud (the
 * cloud's frames carry no {@code Authorization} header, and the answers never repeat a request header) and never
 * written to disk; a restart of the tunnel makes a new one.
 */
final class RelaySecret {
    private static final int BYTES = 32;

    /** Sent in the header: the JDK's {@code HttpURLConnection} takes header values only as {@code String}. */
    private final String value;
    private final byte[] hash;

    private RelaySecret(String value) {
        this.value = value;
        this.hash = sha256(value);
    }

    /** @return a new secret from {@code random} */
    static RelaySecret generate(SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        try {
            return new RelaySecret(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** @return the {@code Authorization} value of relayed requests: {@code EdgeFlow-Relay <secret>} */
    String authorization() {
        return RelayCredential.SCHEME + " " + value;
    }

    /**
     * @param presented what a request sent after the scheme, or null
     * @return true if it is this secret; compared in constant time, over SHA-256 digests of equal length
     */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(sha256(presented), hash);
    }

    @Override
    public String toString() {
        return "RelaySecret[hidden]"; // the secret is never logged, even by accident
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
