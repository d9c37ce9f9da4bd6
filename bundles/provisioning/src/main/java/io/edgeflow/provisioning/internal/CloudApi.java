package io.edgeflow.provisioning.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * The device side of the provisioning protocol (docs/protocol.md): registration with a code, confirmation of
 * the key the device stored, and rotation of that key. A seam, so the state machine is tested without a network.
 */
interface CloudApi {
    /**
     * {@code POST /api/v1/devices/register}.
     *
     * @param code the provisioning code
     * @param requestId the UUID kept in the vault until the registration is confirmed
     * @param hardware hardware facts, may be empty
     * @param network network facts, may be empty
     * @return the new device and its key
     * @throws CloudCallException what went wrong, transient or permanent
     */
    Registration register(ProvisioningCode code, String requestId, Map<String, Object> hardware,
            Map<String, Object> network) throws CloudCallException;

    /**
     * {@code POST /api/v1/devices/{id}/confirm} with the key as bearer token. Credentials an administrator
     * created (pre-provisioned) reach the cloud without facts: their confirmation reports them.
     *
     * @param deviceId the device
     * @param apiKey its key; not kept
     * @param hardware hardware facts to report, or empty (a registration with a code reported them already)
     * @param network network facts to report, or empty
     * @return the confirmed device
     * @throws CloudCallException what went wrong; 401 is {@code invalid_credentials}, permanent
     */
    Confirmation confirm(String deviceId, char[] apiKey, Map<String, Object> hardware, Map<String, Object> network)
            throws CloudCallException;

    /**
     * {@code POST /api/v1/devices/{id}/rotate-key} with the current key as bearer token.
     *
     * @param deviceId the device
     * @param apiKey its current key; not kept
     * @return the new key, which works at once; the current one works until it is confirmed or its window ends
     * @throws CloudCallException what went wrong; 401 {@code invalid_credentials} and 409 {@code not_confirmed}
     *         are permanent
     */
    Rotation rotateKey(String deviceId, char[] apiKey) throws CloudCallException;

    /** Ends a call in progress from another thread, if the implementation can; it then fails as transient. */
    default void cancel() {
        // nothing to cut short
    }

    /**
     * The answer to a registration. Holds the API key: {@link #destroy()} wipes it, {@link #toString()} masks it.
     *
     * @param deviceId the Device ID
     * @param apiKey the key
     * @param expiresAt end of the key's lifetime, or null
     * @param confirmBy when the claim lapses unless confirmed (cloud time), or null
     */
    record Registration(String deviceId, char[] apiKey, Instant expiresAt, Instant confirmBy) {
        void destroy() {
            Arrays.fill(apiKey, '\0');
        }

        @Override
        public String toString() {
            return "Registration[" + deviceId + ", " + io.edgeflow.api.vault.DeviceCredentials.mask(apiKey) + "]";
        }
    }

    /**
     * The answer to a rotation. Holds the new API key: {@link #destroy()} wipes it, {@link #toString()} masks it.
     *
     * @param deviceId the Device ID
     * @param apiKey the new key
     * @param expiresAt end of the new key's lifetime, or null
     * @param previousKeyValidUntil until when the cloud accepts the key that asked, unless the new one is
     *        confirmed first (cloud time), or null
     */
    record Rotation(String deviceId, char[] apiKey, Instant expiresAt, Instant previousKeyValidUntil) {
        void destroy() {
            Arrays.fill(apiKey, '\0');
        }

        @Override
        public String toString() {
            return "Rotation[" + deviceId + ", " + io.edgeflow.api.vault.DeviceCredentials.mask(apiKey) + "]";
        }
    }

    /**
     * The answer to a confirmation.
     *
     * @param deviceId the device
     * @param status its status, {@code active}
     * @param expiresAt end of the key's lifetime, or null
     */
    record Confirmation(String deviceId, String status, Instant expiresAt) {
    }
}
