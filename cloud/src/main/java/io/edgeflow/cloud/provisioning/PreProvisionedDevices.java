package io.edgeflow.cloud.provisioning;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.credentials.SecretToken;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.KeyRecord;

/**
 * Devices an administrator creates with their credentials (the product documentation's "pre-provisioned
 * credentials"): a Device ID and an API key made here, handed to the administrator once, put on the device
 * by hand. Such a device has no provisioning code: its row carries {@link #NO_CODE} as code and request,
 * is {@code pending} without facts until the device first uses its key (see {@link DeviceKeys#confirm}),
 * then {@code active}.
 * <p>
 * Threading: immutable; see {@link TransactionalRules}.
 */
final class PreProvisionedDevices extends TransactionalRules {
    /**
     * The code and request of a device no provisioning code registered. An empty text rather than null: the
     * table's columns are {@code NOT NULL}, and no code or request identifier is ever empty.
     */
    static final String NO_CODE = "";

    /** Longest label, as for codes. */
    static final int MAX_LABEL_CHARS = 200;

    PreProvisionedDevices(Database db, CloudSettings settings, Clock clock, SecureRandom random) {
        super(db, settings, clock, random);
    }

    /**
     * @param d a device
     * @return true if an administrator created it with its credentials (no provisioning code)
     */
    static boolean isPreProvisioned(DeviceRecord d) {
        return NO_CODE.equals(d.codeId());
    }

    /**
     * Creates a device and its first API key; only the key's SHA-256 is stored.
     *
     * @param keyTtlSeconds the key's lifetime, or null for the server's ({@code --key-lifetime})
     * @param label a label for people, or null; kept in the audit trail
     * @param actor the admin's address, for the audit trail
     * @return the device and its key: the only time the key exists in full
     * @throws CloudError 400 {@code invalid_request} naming {@code api_key_ttl_seconds} or {@code label}
     */
    IssuedKey create(Long keyTtlSeconds, String label, String actor) throws CloudError {
        Duration lifetime = settings.keyLifetime();
        if (keyTtlSeconds != null) {
            if (keyTtlSeconds < 1 || keyTtlSeconds > lifetime.toSeconds()) {
                throw CloudError.invalidRequest("api_key_ttl_seconds", "must be between 1 and "
                        + lifetime.toSeconds() + " (the server's API key lifetime)");
            }
            lifetime = Duration.ofSeconds(keyTtlSeconds);
        }
        if (label != null && (label.length() > MAX_LABEL_CHARS || label.chars().anyMatch(Character::isISOControl))) {
            throw CloudError.invalidRequest("label", "must be at most " + MAX_LABEL_CHARS
                    + " characters without control characters");
        }
        String apiKey = SecretToken.generate(random, SecretToken.API_KEY_PREFIX);
        String keyHash = Hashes.sha256(apiKey);
        String keyId = newId("key_", 16);
        String deviceId = newId("dev_", 20);
        long now = clock.millis();
        long expiresAt = now + lifetime.toMillis();
        String masked = SecretToken.mask(SecretToken.API_KEY_PREFIX, SecretToken.hint(apiKey));
        db.transaction(tx -> {
            // no facts until the device reports them; no source address until it calls
            tx.insertDevice(new DeviceRecord(deviceId, NO_CODE, NO_CODE, DeviceRecord.PENDING, null, null, null, now,
                    null, null, now));
            // pending until the device first uses it; no earlier end than its lifetime (no claim to lapse)
            tx.insertKey(new KeyRecord(keyId, deviceId, keyHash, SecretToken.hint(apiKey), KeyRecord.PENDING, now,
                    expiresAt, null, null, null));
            tx.audit(new AuditEvent(0, now, "device_created", "ok", actor, null, null, deviceId, null,
                    "pre-provisioned credentials, key " + masked + " valid until " + iso(expiresAt)
                            + (label == null ? "" : ", label \"" + label + "\"")));
            return null;
        });
        return new IssuedKey(deviceId, apiKey, expiresAt, null, null);
    }
}
