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
 * Device registration with a provisioning code, guarded against brute force (see
 * {@code docs/protocol.md}), and the audit of registrations refused before they reached a code.
 * <p>
 * Threading: immutable but for {@link BruteForceGuard}, which is thread-safe; see {@link TransactionalRules}.
 */
final class Registrations extends TransactionalRules {
    private final byte[] codeHashKey;
    private final BruteForceGuard guard;

    Registrations(Database db, CloudSettings settings, Clock clock, SecureRandom random, byte[] codeHashKey) {
        super(db, settings, clock, random);
        this.codeHashKey = codeHashKey;
        this.guard = new BruteForceGuard(settings, clock);
    }

    /** @param failures the failed attempts and lockouts the nodes of a cloud share */
    void shareFailures(SharedFailures failures) {
        guard.share(failures);
    }

    /**
     * @param address a caller's address
     * @throws CloudError 429 {@code rate_limited} with {@code Retry-After} if the address is locked out
     */
    void checkNotLockedOut(String address) throws CloudError {
        long seconds = guard.lockedForSeconds(address);
        if (seconds > 0) {
            throw lockedOut(seconds);
        }
    }

    private static CloudError lockedOut(long seconds) {
        return new CloudError(429, "rate_limited", "Too many failed provisioning code attempts from this address;"
                + " try again in " + seconds + " s.", seconds);
    }

    /**
     * Records a registration refused before it reached the code (a malformed body, a lockout).
     *
     * @param address the caller's address
     * @param maskedCode the code, masked, if it had the shape of one
     * @param error what was answered
     */
    void auditRefusedRegistration(String address, String maskedCode, CloudError error) {
        long now = clock.millis();
        db.transaction(tx -> {
            tx.audit(new AuditEvent(0, now, "registration", error.code(), address, null, maskedCode, null, null,
                    error.getMessage()));
            return null;
        });
    }

    /**
     * Registers a device with a provisioning code (see {@code docs/protocol.md}): a new claim answers a
     * new device and a pending key; a retry with the claim's {@code request_id} answers the same device
     * and a fresh key, and the earlier key stops working.
     *
     * @param request the checked request
     * @param address the caller's address
     * @return the device and its key
     * @throws CloudError 429 {@code rate_limited}, 404 {@code code_invalid}, 410 {@code code_expired} /
     *         {@code code_consumed} / {@code code_revoked}, 409 {@code code_in_use}
     */
    IssuedKey register(RegistrationRequest request, String address) throws CloudError {
        // counted before the code is looked up: attempts sent together cannot all pass one check
        String codeHash = Hashes.codeHash(codeHashKey, request.code());
        BruteForceGuard.Attempt attempt = guard.reserve(address, codeHash);
        if (attempt == null) {
            long seconds = guard.lockedForSeconds(address);
            CloudError refused = seconds > 0 ? lockedOut(seconds) : new CloudError(429, "rate_limited",
                    "Too many provisioning code attempts from this address at once; try again in 1 s.", 1);
            auditRefusedRegistration(address, request.code().masked(), refused);
            throw refused;
        }
        try (attempt) {
            return register(request, address, codeHash, attempt);
        }
    }

    private IssuedKey register(RegistrationRequest request, String address, String codeHash,
            BruteForceGuard.Attempt attempt) throws CloudError {
        String apiKey = SecretToken.generate(random, SecretToken.API_KEY_PREFIX);
        String keyHash = Hashes.sha256(apiKey);
        String keyId = newId("key_", 16);
        String newDeviceId = newId("dev_", 20);
        String masked = request.code().masked();

        Outcome<IssuedKey> outcome = decide(tx -> {
            long now = clock.millis();
            Optional<CodeRecord> found = tx.findCodeByHash(codeHash);
            if (found.isEmpty() || !Hashes.equal(found.get().codeHash(), codeHash)) {
                tx.audit(new AuditEvent(0, now, "registration", "code_invalid", address, null, masked, null,
                        request.requestId(), null));
                return Outcome.refused(new CloudError(404, "code_invalid",
                        "No such provisioning code. Check it, or ask for a new one."));
            }
            CodeRecord c = found.get();
            CloudError refusal = refusal(c, request, now);
            if (refusal != null) {
                tx.audit(event(now, "registration", refusal.code(), address, c, null, request.requestId(), null));
                return Outcome.refused(refusal);
            }

            long confirmBy = now + settings.claimGrace().toMillis();
            DeviceRecord earlier = c.claimDeviceId() == null ? null : tx.findDevice(c.claimDeviceId()).orElse(null);
            boolean sameRegistration = earlier != null && DeviceRecord.PENDING.equals(earlier.status())
                    && request.requestId().equals(c.claimRequestId());
            String deviceId = sameRegistration ? earlier.id() : newDeviceId;
            String detail = sameRegistration ? retry(tx, earlier, request, address, now)
                    : newDevice(tx, earlier, c, deviceId, request, address, now);
            long expiresAt = now + settings.keyLifetime().toMillis();
            tx.insertKey(new KeyRecord(keyId, deviceId, keyHash, SecretToken.hint(apiKey), KeyRecord.PENDING, now,
                    expiresAt, confirmBy, null, null));
            casCode(tx, new CodeRecord(c.id(), c.codeHash(), c.hint(), c.label(), c.createdAt(), c.expiresAt(), null,
                    deviceId, request.requestId(), confirmBy, null, c.version()));
            tx.audit(event(now, "registration", "ok", address, c, deviceId, request.requestId(), detail));
            return Outcome.ok(new IssuedKey(deviceId, apiKey, expiresAt, confirmBy, null));
        });
        if (outcome.error() != null && "code_invalid".equals(outcome.error().code())) {
            attempt.failed();
        }
        return outcome.get();
    }

    /** @return why this code cannot register now, or null if it can */
    private static CloudError refusal(CodeRecord c, RegistrationRequest request, long now) {
        if (c.revokedAt() != null) {
            return new CloudError(410, "code_revoked", "This provisioning code was revoked by an operator.");
        }
        if (c.consumedAt() != null) {
            return new CloudError(410, "code_consumed",
                    "This provisioning code was already used by a device; codes are single-use.");
        }
        if (c.claimActive(now) && !request.requestId().equals(c.claimRequestId())) {
            return new CloudError(409, "code_in_use", "Another registration holds this code until it is"
                    + " confirmed or lapses (" + iso(c.claimUntil()) + ").");
        }
        if (!c.claimActive(now) && now >= c.expiresAt()) {
            return new CloudError(410, "code_expired", "This provisioning code expired at " + iso(c.expiresAt()) + ".");
        }
        return null;
    }

    /**
     * The device did not get (or lost) our answer: same device, fresh key, earlier keys void.
     *
     * @return the audit detail
     */
    private static String retry(StoreTransaction tx, DeviceRecord earlier, RegistrationRequest request, String address,
            long now) throws SQLException {
        retireKeys(tx, earlier.id(), null, now);
        tx.updateDevice(new DeviceRecord(earlier.id(), earlier.codeId(), earlier.requestId(), DeviceRecord.PENDING,
                request.hardware(), request.network(), address, earlier.registeredAt(), null, null, now));
        return "retry with the same request_id: fresh key, earlier key invalidated";
    }

    /**
     * A new device for this code; a pending device whose claim lapsed unconfirmed loses the code to it.
     *
     * @return the audit detail
     */
    private static String newDevice(StoreTransaction tx, DeviceRecord earlier, CodeRecord c, String deviceId,
            RegistrationRequest request, String address, long now) throws SQLException {
        if (earlier != null && DeviceRecord.PENDING.equals(earlier.status())) {
            lapse(tx, earlier.id(), now);
        }
        tx.insertDevice(new DeviceRecord(deviceId, c.id(), request.requestId(), DeviceRecord.PENDING,
                request.hardware(), request.network(), address, now, null, null, now));
        return "new device";
    }
}
