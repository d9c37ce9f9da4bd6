package io.edgeflow.vault.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.edgeflow.api.vault.DeviceCredentials;

/** Credentials for tests, shaped like the ones the EdgeFlow cloud hands out. */
final class TestCredentials {
    static final String DEVICE_ID = "dev_abc123xyz";
    /** A key shaped like a real one; tests assert that no part of it leaks. */
    static final String API_KEY = "efk_Q7hZ2kR9vXw3mN8pL5tY1cB6dF4gJ0s9f2a";
    /** A distinctive middle part of {@link #API_KEY}, which even a masked key never shows. */
    static final String API_KEY_MIDDLE = "vXw3mN8pL5";
    static final Instant EXPIRES_AT = Instant.parse("2027-02-21T00:00:00Z");
    static final String SAAS_URL = "saas.edgx.cloud:443";
    static final byte[] MACHINE_ID = "3d1219c7c4c5404aaa1f6d2a48adfda4".getBytes(StandardCharsets.US_ASCII);

    private TestCredentials() {
    }

    static DeviceCredentials credentials() {
        return new DeviceCredentials(DEVICE_ID, API_KEY.toCharArray(), EXPIRES_AT, SAAS_URL);
    }

    static byte[] keyFileBytes(int seed) {
        byte[] key = new byte[KeyFile.KEY_BYTES];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (seed * 31 + i * 7);
        }
        return key;
    }
}
