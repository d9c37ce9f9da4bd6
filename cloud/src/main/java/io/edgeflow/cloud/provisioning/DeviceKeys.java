package io.edgeflow.cloud.provisioning;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.credentials.SecretToken;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.KeyRecord;
import io.edgeflow.cloud.store.StoreTransaction;

/**
 * A device's API keys: checked, confirmed, rotated.
 * <p>
 * Threading: immutable; see {@link TransactionalRules}.
 */
final class DeviceKeys extends TransactionalRules {
    DeviceKeys(Database db, CloudSettings settings, Clock clock, SecureRandom random) {
        super(db, settings, clock, random);
    }

    /**
     * Checks a device's key: the key's hash is compared, in constant time, with each key the device
     * holds.
     *
     * @param deviceId the Device ID the caller claims
     * @param apiKey the key it presented, or null
     * @return the device and key
     * @throws CloudError 401 {@code invalid_credentials}
     */
    AuthenticatedDevice authenticate(String deviceId, String apiKey) throws CloudError {
        return db.transaction(tx -> authenticate(tx, deviceId, apiKey, clock.millis())).get();
    }

    private static Outcome<AuthenticatedDevice> authenticate(StoreTransaction tx, String deviceId, String apiKey,
            long now) throws SQLException {
        if (apiKey == null || !apiKey.startsWith(SecretToken.API_KEY_PREFIX) || apiKey.length() > 200) {
            return Outcome.refused(CloudError.invalidCredentials(
                    "Send the device's API key as 'Authorization: Bearer efk_...'."));
        }
        String presented = Hashes.sha256(apiKey);
        Optional<DeviceRecord> device = deviceId == null || deviceId.length() > 64 ? Optional.empty()
                : tx.findDevice(deviceId);
        KeyRecord match = null;
        if (device.isPresent()) {
            for (KeyRecord k : tx.keysOf(deviceId)) {
                if (Hashes.equal(k.keyHash(), presented) & match == null) {
                    match = k;
                }
            }
        }
        if (match == null) {
            return Outcome.refused(CloudError.invalidCredentials("This API key is not valid for device "
                    + (deviceId == null ? "(none)" : deviceId) + "."));
        }
        DeviceRecord d = device.get();
        if (DeviceRecord.REVOKED.equals(d.status())) {
            return Outcome.refused(CloudError.invalidCredentials("Device " + d.id() + " was revoked by an operator."));
        }
        if (DeviceRecord.LAPSED.equals(d.status())) {
            return Outcome.refused(CloudError.invalidCredentials("The registration of " + d.id()
                    + " lapsed unconfirmed; register again with a provisioning code."));
        }
        if (!match.usable(now)) {
            String why;
            if (KeyRecord.RETIRED.equals(match.status())) {
                why = "This API key was replaced by a newer one.";
            } else if (now >= match.expiresAt()) {
                why = "This API key expired at " + iso(match.expiresAt()) + ".";
            } else if (KeyRecord.PENDING.equals(match.status()) && DeviceRecord.PENDING.equals(d.status())) {
                why = "The registration was not confirmed in time; register again with the same request_id.";
            } else {
                why = "This API key was rotated away and its overlap window ended.";
            }
            return Outcome.refused(CloudError.invalidCredentials(why));
        }
        return Outcome.ok(new AuthenticatedDevice(d, match));
    }

    /** {@link #authenticate}, a refusal written to the audit trail as the result of {@code event}. */
    private static Outcome<AuthenticatedDevice> authenticateAudited(StoreTransaction tx, String event, String deviceId,
            String apiKey, String address, long now) throws SQLException {
        Outcome<AuthenticatedDevice> auth = authenticate(tx, deviceId, apiKey, now);
        if (auth.error() != null) {
            tx.audit(new AuditEvent(0, now, event, auth.error().code(), address, null, null, safeId(deviceId), null,
                    auth.error().getMessage()));
        }
        return auth;
    }

    /**
     * Confirms that the device holds a key. The first confirmation of a registration makes the device
     * active and consumes its code for ever; confirming a rotated key ends the previous key at once.
     * Idempotent.
     *
     * @param deviceId the Device ID
     * @param apiKey the key
     * @param address the caller's address
     * @return the device afterwards and the key confirmed
     * @throws CloudError 401 {@code invalid_credentials}
     */
    AuthenticatedDevice confirm(String deviceId, String apiKey, String address) throws CloudError {
        return confirm(deviceId, apiKey, address, null, null);
    }

    /**
     * {@link #confirm(String, String, String)}, with the facts a device created by an administrator reports
     * with its first confirmation (it registered with none): they are stored while it is pending. A device
     * that registered with a code keeps the facts of its registration.
     *
     * @param hardware hardware facts as JSON text, or null
     * @param network network facts as JSON text, or null
     */
    AuthenticatedDevice confirm(String deviceId, String apiKey, String address, String hardware, String network)
            throws CloudError {
        return decide(tx -> {
            long now = clock.millis();
            Outcome<AuthenticatedDevice> auth = authenticateAudited(tx, "confirmation", deviceId, apiKey, address, now);
            if (auth.error() != null) {
                return auth;
            }
            DeviceRecord d = auth.value().device();
            KeyRecord k = auth.value().key();
            if (KeyRecord.ACTIVE.equals(k.status())) {
                return auth; // already confirmed: nothing changes, nothing to audit again
            }
            retireKeys(tx, d.id(), k.id(), now);
            KeyRecord confirmed = new KeyRecord(k.id(), k.deviceId(), k.keyHash(), k.hint(), KeyRecord.ACTIVE,
                    k.createdAt(), k.expiresAt(), null, now, null);
            tx.updateKey(confirmed);
            DeviceRecord after = d;
            String detail = "rotated key confirmed; previous key ended";
            if (DeviceRecord.PENDING.equals(d.status()) && PreProvisionedDevices.isPreProvisioned(d)) {
                // first use of credentials an administrator created: the device is now known to hold them
                after = new DeviceRecord(d.id(), d.codeId(), d.requestId(), DeviceRecord.ACTIVE,
                        hardware != null ? hardware : d.hardware(), network != null ? network : d.network(), address,
                        d.registeredAt(), now, null, now);
                tx.updateDevice(after);
                tx.audit(new AuditEvent(0, now, "device_activated", "ok", address, null, null, d.id(), null,
                        "pre-provisioned credentials used for the first time; key "
                                + SecretToken.mask(SecretToken.API_KEY_PREFIX, k.hint()) + " confirmed"
                                + (hardware != null || network != null ? "; facts reported" : "")));
            } else if (DeviceRecord.PENDING.equals(d.status())) {
                after = new DeviceRecord(d.id(), d.codeId(), d.requestId(), DeviceRecord.ACTIVE, d.hardware(),
                        d.network(), d.sourceAddress(), d.registeredAt(), now, null, now);
                tx.updateDevice(after);
                CodeRecord c = tx.findCode(d.codeId()).orElseThrow();
                casCode(tx, new CodeRecord(c.id(), c.codeHash(), c.hint(), c.label(), c.createdAt(), c.expiresAt(),
                        c.revokedAt(), d.id(), c.claimRequestId(), null, now, c.version()));
                detail = "registration confirmed; code consumed";
                tx.audit(event(now, "confirmation", "ok", address, c, d.id(), d.requestId(), detail));
            } else {
                tx.audit(new AuditEvent(0, now, "confirmation", "ok", address, null, null, d.id(), null, detail));
            }
            return Outcome.ok(new AuthenticatedDevice(after, confirmed));
        }).get();
    }

    /**
     * Issues a new key to a confirmed device. The key presented keeps working for the overlap window or
     * until the new key is confirmed; any other key of the device ends now.
     *
     * @param deviceId the Device ID
     * @param apiKey the current key
     * @param address the caller's address
     * @return the new key
     * @throws CloudError 401 {@code invalid_credentials}, 409 {@code not_confirmed} before the registration
     *         was confirmed
     */
    IssuedKey rotateKey(String deviceId, String apiKey, String address) throws CloudError {
        String newKey = SecretToken.generate(random, SecretToken.API_KEY_PREFIX);
        String newHash = Hashes.sha256(newKey);
        String keyId = newId("key_", 16);
        return decide(tx -> {
            long now = clock.millis();
            Outcome<AuthenticatedDevice> auth = authenticateAudited(tx, "key_rotation", deviceId, apiKey, address, now);
            if (auth.error() != null) {
                return Outcome.<IssuedKey>refused(auth.error());
            }
            DeviceRecord d = auth.value().device();
            KeyRecord current = auth.value().key();
            if (!DeviceRecord.ACTIVE.equals(d.status())) {
                CloudError e = new CloudError(409, "not_confirmed",
                        "Confirm the registration first (POST /api/v1/devices/" + d.id() + "/confirm).");
                tx.audit(new AuditEvent(0, now, "key_rotation", e.code(), address, null, null, d.id(), null, null));
                return Outcome.<IssuedKey>refused(e);
            }
            retireKeys(tx, d.id(), current.id(), now);
            long overlapEnd = now + settings.rotationOverlap().toMillis();
            long previousUntil = Math.min(current.validUntil() == null ? current.expiresAt() : current.validUntil(),
                    Math.min(overlapEnd, current.expiresAt()));
            tx.updateKey(new KeyRecord(current.id(), current.deviceId(), current.keyHash(), current.hint(),
                    current.status(), current.createdAt(), current.expiresAt(), previousUntil, current.confirmedAt(),
                    null));
            long expiresAt = now + settings.keyLifetime().toMillis();
            tx.insertKey(new KeyRecord(keyId, d.id(), newHash, SecretToken.hint(newKey), KeyRecord.PENDING, now,
                    expiresAt, null, null, null));
            tx.audit(new AuditEvent(0, now, "key_rotation", "ok", address, null, null, d.id(), null,
                    "new key " + SecretToken.mask(SecretToken.API_KEY_PREFIX, SecretToken.hint(newKey))
                            + "; previous key " + SecretToken.mask(SecretToken.API_KEY_PREFIX, current.hint())
                            + " works until " + iso(previousUntil)));
            return Outcome.ok(new IssuedKey(d.id(), newKey, expiresAt, null, previousUntil));
        }).get();
    }
}
