package io.edgeflow.api.vault;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The device's identity: its Device ID, its API key, when the key expires and which cloud it
 * belongs to. The API key is held as a char array so it can be wiped with {@link #destroy()};
 * {@link #toString()} shows it masked only ({@code efk_…9f2a}).
 */
public final class DeviceCredentials {
    private final String deviceId;
    private final char[] apiKey;
    private final Instant expiresAt;
    private final String saasUrl;

    /**
     * @param deviceId the Device ID, {@code dev_...}
     * @param apiKey the API key, {@code efk_...}; copied, so the caller may wipe its own array
     * @param expiresAt when the key expires, or null if it does not
     * @param saasUrl the cloud the credentials belong to, or null
     */
    public DeviceCredentials(String deviceId, char[] apiKey, Instant expiresAt, String saasUrl) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey").clone();
        this.expiresAt = expiresAt;
        this.saasUrl = saasUrl;
    }

    /** @return the Device ID */
    public String deviceId() {
        return deviceId;
    }

    /** @return a copy of the API key; the caller wipes it after use */
    public char[] apiKey() {
        return apiKey.clone();
    }

    /** @return when the key expires, or null */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** @return the cloud these credentials belong to, or null */
    public String saasUrl() {
        return saasUrl;
    }

    /** Overwrites the API key held by this object. */
    public void destroy() {
        Arrays.fill(apiKey, '\0');
    }

    /**
     * Masks an API key for logs and messages: the prefix and the last four characters.
     *
     * @param key the key, may be null
     * @return for example {@code efk_…9f2a}
     */
    public static String mask(char[] key) {
        if (key == null || key.length == 0) {
            return "(none)";
        }
        int underscore = -1;
        for (int i = 0; i < key.length && i < 8; i++) {
            if (key[i] == '_') {
                underscore = i;
                break;
            }
        }
        String prefix = underscore > 0 ? new String(key, 0, underscore + 1) : "";
        if (key.length < 12) {
            return prefix + "…";
        }
        return prefix + "…" + new String(key, key.length - 4, 4);
    }

    @Override
    public String toString() {
        return "DeviceCredentials[deviceId=" + deviceId + ", apiKey=" + mask(apiKey) + ", expiresAt=" + expiresAt
                + ", saasUrl=" + saasUrl + "]";
    }
}
