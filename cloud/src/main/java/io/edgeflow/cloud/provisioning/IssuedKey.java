package io.edgeflow.cloud.provisioning;

/**
 * A key handed to a device: in the registration or rotation response, and nowhere else.
 *
 * @param deviceId the Device ID
 * @param apiKey the key, {@code efk_...}; a secret
 * @param expiresAt end of the key's lifetime (epoch ms)
 * @param confirmBy when an unconfirmed registration lapses (epoch ms), or null after a rotation
 * @param previousKeyValidUntil after a rotation: until when the key used to ask keeps working, else null
 */
public record IssuedKey(String deviceId, String apiKey, long expiresAt, Long confirmBy, Long previousKeyValidUntil) {
    @Override
    public String toString() {
        return "IssuedKey[deviceId=" + deviceId + ", apiKey=efk_…]";
    }
}
