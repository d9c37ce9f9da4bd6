package io.edgeflow.cloud.provisioning;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.edgeflow.cloud.credentials.Crockford;
import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.credentials.ProvisioningCode;
import io.edgeflow.cloud.credentials.SecretToken;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.KeyRecord;
import io.edgeflow.cloud.store.StoreTransaction;

/**
 * Provisioning codes, device registration and API keys: the rules of {@code docs/protocol.md}.
 * <p>
 * Every decision is taken inside one database transaction that also writes its audit event, so what
 * was answered is what was stored, and a race for one code is decided by the database: the first
 * transaction claims it, the others see the claim. Secrets are generated before the transaction and
 * only their hashes enter it.
 */
public final class ProvisioningService {
    private static final int CAS_ATTEMPTS = 5;

    private final Database db;
    private final CloudSettings settings;
    private final Clock clock;
    private final SecureRandom random;
    private final byte[] codeHashKey;
    private final BruteForceGuard guard;

    /**
     * @param db the database
     * @param settings the provisioning settings
     * @param clock the clock every expiry is measured with
     * @param random the source of every secret
     * @param codeHashKey the key provisioning codes are hashed with
     */
    public ProvisioningService(Database db, CloudSettings settings, Clock clock, SecureRandom random,
            byte[] codeHashKey) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.codeHashKey = codeHashKey.clone();
        this.guard = new BruteForceGuard(settings, clock);
    }

    /** @return the settings in force */
    public CloudSettings settings() {
        return settings;
    }

    /** @return the current time of the service's clock, epoch ms */
    public long now() {
        return clock.millis();
    }

    /** The outcome of a transaction that may refuse: a value, or the error to answer after commit. */
    private record Outcome<T>(T value, CloudError error) {
        static <T> Outcome<T> ok(T value) {
            return new Outcome<>(value, null);
        }

        static <T> Outcome<T> refused(CloudError error) {
            return new Outcome<>(null, error);
        }

        T get() throws CloudError {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }

    /** A code's compare-and-set lost: re-read and decide again. */
    private static final class Conflict extends SQLException {
        private static final long serialVersionUID = 1L;

        Conflict() {
            super("concurrent update", null, null);
        }
    }

    private <T> Outcome<T> decide(Database.Work<Outcome<T>> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return db.transaction(work);
            } catch (io.edgeflow.cloud.store.StoreException e) {
                if (!(e.getCause() instanceof Conflict) || attempt >= CAS_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    // ------------------------------------------------------------------ codes

    /**
     * A code just created: the only time its full text exists.
     *
     * @param record what was stored
     * @param code the code; a secret
     */
    public record IssuedCode(CodeRecord record, ProvisioningCode code) {
        @Override
        public String toString() {
            return "IssuedCode[" + code.masked() + "]";
        }
    }

    /**
     * Creates a provisioning code.
     *
     * @param ttlSeconds its TTL, or null for the default
     * @param label a label for people, or null
     * @param actor the admin's address, for the audit trail
     * @return the code
     * @throws CloudError 400 if the TTL or label is out of bounds
     */
    public IssuedCode createCode(Long ttlSeconds, String label, String actor) throws CloudError {
        Duration ttl = settings.defaultCodeTtl();
        if (ttlSeconds != null) {
            if (ttlSeconds < 1 || ttlSeconds > settings.maxCodeTtl().toSeconds()) {
                throw CloudError.invalidRequest("ttl_seconds", "must be between 1 and "
                        + settings.maxCodeTtl().toSeconds() + " (the server's maximum code TTL)");
            }
            ttl = Duration.ofSeconds(ttlSeconds);
        }
        if (label != null && (label.length() > 200 || label.chars().anyMatch(Character::isISOControl))) {
            throw CloudError.invalidRequest("label", "must be at most 200 characters without control characters");
        }
        Duration codeTtl = ttl;
        for (int attempt = 0; attempt < 5; attempt++) {
            ProvisioningCode code = ProvisioningCode.generate(random);
            String hash = Hashes.codeHash(codeHashKey, code);
            String id = newId("pc_", 16);
            long now = clock.millis();
            CodeRecord record = new CodeRecord(id, hash, code.hint(), label, now, now + codeTtl.toMillis(), null, null,
                    null, null, null, 0);
            boolean created = db.transaction(tx -> {
                if (tx.findCodeByHash(hash).isPresent()) {
                    return false; // 40 bits: a collision with a past code is rare, not impossible
                }
                tx.insertCode(record);
                tx.audit(event(now, "code_created", "ok", actor, record, null, null,
                        "ttl " + codeTtl.toSeconds() + " s" + (label == null ? "" : ", label \"" + label + "\"")));
                return true;
            });
            if (created) {
                return new IssuedCode(record, code);
            }
        }
        throw new IllegalStateException("no unused provisioning code found in 5 draws: the random source is broken");
    }

    /**
     * @param limit most codes
     * @return codes, newest first
     */
    public List<CodeRecord> listCodes(int limit) {
        return db.transaction(tx -> tx.listCodes(limit));
    }

    /**
     * @param id a code's identifier
     * @return the code
     * @throws CloudError 404 if there is none
     */
    public CodeRecord code(String id) throws CloudError {
        return db.transaction(tx -> tx.findCode(id)).orElseThrow(() -> codeNotFound(id));
    }

    private static CloudError codeNotFound(String id) {
        return new CloudError(404, "not_found", "No provisioning code with id " + id + ".");
    }

    /**
     * Revokes a code: it can never register a device. A device holding an unconfirmed claim on it loses
     * that claim and its key at once.
     *
     * @param id the code's identifier
     * @param actor the admin's address
     * @return the code afterwards
     * @throws CloudError 404 if there is no such code, 409 {@code code_consumed} if a device already
     *         confirmed it (revoke the device instead)
     */
    public CodeRecord revokeCode(String id, String actor) throws CloudError {
        return decide(tx -> {
            long now = clock.millis();
            Optional<CodeRecord> found = tx.findCode(id);
            if (found.isEmpty()) {
                return Outcome.refused(codeNotFound(id));
            }
            CodeRecord c = found.get();
            if (c.consumedAt() != null) {
                return Outcome.refused(new CloudError(409, "code_consumed", "Code " + c.id() + " was already used by "
                        + c.claimDeviceId() + "; revoke that device instead."));
            }
            if (c.revokedAt() != null) {
                return Outcome.ok(c);
            }
            if (c.claimActive(now)) {
                lapse(tx, c.claimDeviceId(), now);
            }
            CodeRecord revoked = new CodeRecord(c.id(), c.codeHash(), c.hint(), c.label(), c.createdAt(),
                    c.expiresAt(), now, c.claimDeviceId(), c.claimRequestId(), c.claimUntil(), null, c.version());
            casCode(tx, revoked);
            tx.audit(event(now, "code_revoked", "ok", actor, c, c.claimActive(now) ? c.claimDeviceId() : null, null,
                    null));
            return Outcome.ok(tx.findCode(id).orElseThrow());
        }).get();
    }

    // ------------------------------------------------------------------ registration

    /**
     * @param address a caller's address
     * @throws CloudError 429 {@code rate_limited} with {@code Retry-After} if the address is locked out
     */
    public void checkNotLockedOut(String address) throws CloudError {
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
    public void auditRefusedRegistration(String address, String maskedCode, CloudError error) {
        long now = clock.millis();
        db.transaction(tx -> {
            tx.audit(new AuditEvent(0, now, "registration", error.code(), address, null, maskedCode, null, null,
                    error.getMessage()));
            return null;
        });
    }

    /**
     * Records an operator's request that changes something on a device, sent through its tunnel. The
     * body and the query string are never recorded (a provisioning code may travel in them).
     *
     * @param address the admin's address
     * @param deviceId the device
     * @param method the method ({@code POST}, {@code PUT}, {@code DELETE})
     * @param path the path on the device, without its query string
     * @param result the device's HTTP status, or the error code when there was no answer
     */
    public void auditRemoteAccess(String address, String deviceId, String method, String path, String result) {
        long now = clock.millis();
        db.transaction(tx -> {
            tx.audit(new AuditEvent(0, now, "remote_access", result, address, null, null, deviceId, null,
                    method + " " + path));
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
    public IssuedKey register(RegistrationRequest request, String address) throws CloudError {
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
            CloudError refusal = null;
            if (c.revokedAt() != null) {
                refusal = new CloudError(410, "code_revoked", "This provisioning code was revoked by an operator.");
            } else if (c.consumedAt() != null) {
                refusal = new CloudError(410, "code_consumed",
                        "This provisioning code was already used by a device; codes are single-use.");
            } else if (c.claimActive(now) && !request.requestId().equals(c.claimRequestId())) {
                refusal = new CloudError(409, "code_in_use", "Another registration holds this code until it is"
                        + " confirmed or lapses (" + iso(c.claimUntil()) + ").");
            } else if (!c.claimActive(now) && now >= c.expiresAt()) {
                refusal = new CloudError(410, "code_expired", "This provisioning code expired at "
                        + iso(c.expiresAt()) + ".");
            }
            if (refusal != null) {
                tx.audit(event(now, "registration", refusal.code(), address, c, null, request.requestId(), null));
                return Outcome.refused(refusal);
            }

            long confirmBy = now + settings.claimGrace().toMillis();
            String deviceId;
            String detail;
            DeviceRecord earlier = c.claimDeviceId() == null ? null : tx.findDevice(c.claimDeviceId()).orElse(null);
            boolean sameRegistration = earlier != null && DeviceRecord.PENDING.equals(earlier.status())
                    && request.requestId().equals(c.claimRequestId());
            if (sameRegistration) {
                // The device did not get (or lost) our answer: same device, fresh key, earlier keys void.
                deviceId = earlier.id();
                retireKeys(tx, deviceId, null, now);
                tx.updateDevice(new DeviceRecord(deviceId, earlier.codeId(), earlier.requestId(), DeviceRecord.PENDING,
                        request.hardware(), request.network(), address, earlier.registeredAt(), null, null, now));
                detail = "retry with the same request_id: fresh key, earlier key invalidated";
            } else {
                if (earlier != null && DeviceRecord.PENDING.equals(earlier.status())) {
                    lapse(tx, earlier.id(), now); // its claim lapsed unconfirmed; the code goes to this request
                }
                deviceId = newDeviceId;
                tx.insertDevice(new DeviceRecord(deviceId, c.id(), request.requestId(), DeviceRecord.PENDING,
                        request.hardware(), request.network(), address, now, null, null, now));
                detail = "new device";
            }
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

    private static String iso(long millis) {
        return java.time.Instant.ofEpochMilli(millis).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    // ------------------------------------------------------------------ device keys

    /**
     * Checks a device's key: the key's hash is compared, in constant time, with each key the device
     * holds.
     *
     * @param deviceId the Device ID the caller claims
     * @param apiKey the key it presented, or null
     * @return the device and key
     * @throws CloudError 401 {@code invalid_credentials}
     */
    public AuthenticatedDevice authenticate(String deviceId, String apiKey) throws CloudError {
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
    public AuthenticatedDevice confirm(String deviceId, String apiKey, String address) throws CloudError {
        return decide(tx -> {
            long now = clock.millis();
            Outcome<AuthenticatedDevice> auth = authenticate(tx, deviceId, apiKey, now);
            if (auth.error() != null) {
                tx.audit(new AuditEvent(0, now, "confirmation", auth.error().code(), address, null, null,
                        safeId(deviceId), null, auth.error().getMessage()));
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
            if (DeviceRecord.PENDING.equals(d.status())) {
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
    public IssuedKey rotateKey(String deviceId, String apiKey, String address) throws CloudError {
        String newKey = SecretToken.generate(random, SecretToken.API_KEY_PREFIX);
        String newHash = Hashes.sha256(newKey);
        String keyId = newId("key_", 16);
        return decide(tx -> {
            long now = clock.millis();
            Outcome<AuthenticatedDevice> auth = authenticate(tx, deviceId, apiKey, now);
            if (auth.error() != null) {
                tx.audit(new AuditEvent(0, now, "key_rotation", auth.error().code(), address, null, null,
                        safeId(deviceId), null, auth.error().getMessage()));
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

    // ------------------------------------------------------------------ devices

    /**
     * @param limit most devices
     * @return devices with their keys, newest first
     */
    public List<DeviceDetails> listDevices(int limit) {
        return db.transaction(tx -> {
            List<DeviceDetails> list = new ArrayList<>();
            for (DeviceRecord d : tx.listDevices(limit)) {
                list.add(new DeviceDetails(d, tx.keysOf(d.id()), tx.findCode(d.codeId()).orElse(null)));
            }
            return list;
        });
    }

    /**
     * @param id a Device ID
     * @return the device
     * @throws CloudError 404 if there is none
     */
    public DeviceDetails device(String id) throws CloudError {
        return db.transaction(tx -> details(tx, id)).orElseThrow(() -> deviceNotFound(id));
    }

    private static Optional<DeviceDetails> details(StoreTransaction tx, String id) throws SQLException {
        Optional<DeviceRecord> d = tx.findDevice(id);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DeviceDetails(d.get(), tx.keysOf(id), tx.findCode(d.get().codeId()).orElse(null)));
    }

    private static CloudError deviceNotFound(String id) {
        return new CloudError(404, "not_found", "No device with id " + id + ".");
    }

    /**
     * Revokes a device: every key it holds stops working at once. A device that had not confirmed yet
     * also releases its claim on the code.
     *
     * @param id the Device ID
     * @param actor the admin's address
     * @return the device afterwards
     * @throws CloudError 404 if there is no such device
     */
    public DeviceDetails revokeDevice(String id, String actor) throws CloudError {
        return decide(tx -> {
            long now = clock.millis();
            Optional<DeviceRecord> found = tx.findDevice(id);
            if (found.isEmpty()) {
                return Outcome.<DeviceDetails>refused(deviceNotFound(id));
            }
            DeviceRecord d = found.get();
            if (!DeviceRecord.REVOKED.equals(d.status())) {
                retireKeys(tx, id, null, now);
                tx.updateDevice(new DeviceRecord(d.id(), d.codeId(), d.requestId(), DeviceRecord.REVOKED, d.hardware(),
                        d.network(), d.sourceAddress(), d.registeredAt(), d.confirmedAt(), now, now));
                Optional<CodeRecord> code = tx.findCode(d.codeId());
                if (code.isPresent() && code.get().claimActive(now) && id.equals(code.get().claimDeviceId())) {
                    CodeRecord c = code.get();
                    casCode(tx, new CodeRecord(c.id(), c.codeHash(), c.hint(), c.label(), c.createdAt(), c.expiresAt(),
                            c.revokedAt(), c.claimDeviceId(), c.claimRequestId(), now, null, c.version()));
                }
                tx.audit(new AuditEvent(0, now, "device_revoked", "ok", actor, d.codeId(), null, id, null,
                        "was " + d.status()));
            }
            return Outcome.ok(details(tx, id).orElseThrow());
        }).get();
    }

    /**
     * @param beforeId only events older than this identifier, or 0
     * @param limit most events
     * @return audit events, newest first
     */
    public List<AuditEvent> audit(long beforeId, int limit) {
        return db.transaction(tx -> tx.listAudit(beforeId, limit));
    }

    // ------------------------------------------------------------------ helpers

    private static void casCode(StoreTransaction tx, CodeRecord c) throws SQLException {
        if (!tx.updateCode(c)) {
            throw new Conflict();
        }
    }

    /** A pending registration that lost its claim: the device lapses and its keys end. */
    private static void lapse(StoreTransaction tx, String deviceId, long now) throws SQLException {
        Optional<DeviceRecord> found = tx.findDevice(deviceId);
        if (found.isEmpty() || !DeviceRecord.PENDING.equals(found.get().status())) {
            return;
        }
        DeviceRecord d = found.get();
        retireKeys(tx, deviceId, null, now);
        tx.updateDevice(new DeviceRecord(d.id(), d.codeId(), d.requestId(), DeviceRecord.LAPSED, d.hardware(),
                d.network(), d.sourceAddress(), d.registeredAt(), null, null, now));
    }

    /** Retires every key of a device that is not retired yet, except {@code keepKeyId}. */
    private static void retireKeys(StoreTransaction tx, String deviceId, String keepKeyId, long now)
            throws SQLException {
        for (KeyRecord k : tx.keysOf(deviceId)) {
            if (!KeyRecord.RETIRED.equals(k.status()) && !k.id().equals(keepKeyId)) {
                tx.updateKey(new KeyRecord(k.id(), k.deviceId(), k.keyHash(), k.hint(), KeyRecord.RETIRED,
                        k.createdAt(), k.expiresAt(), k.validUntil(), k.confirmedAt(), now));
            }
        }
    }

    private static AuditEvent event(long now, String event, String result, String address, CodeRecord c,
            String deviceId, String requestId, String detail) {
        return new AuditEvent(0, now, event, result, address, c.id(), ProvisioningCode.mask(c.hint()), deviceId,
                requestId, detail);
    }

    private static String safeId(String deviceId) {
        return deviceId != null && deviceId.length() <= 40 && deviceId.matches("[a-z0-9_]+") ? deviceId : null;
    }

    private String newId(String prefix, int symbols) {
        return prefix + Crockford.randomSymbols(random, symbols).toLowerCase(Locale.ROOT);
    }
}
