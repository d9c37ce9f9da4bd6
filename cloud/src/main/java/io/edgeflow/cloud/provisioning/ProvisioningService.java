package io.edgeflow.cloud.provisioning;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.AuditSearch;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.DeviceSearch;

/**
 * Provisioning codes, device registration and API keys: the rules of {@code docs/protocol.md}, as the
 * HTTP API and the tunnel call them. Each rule lives in its own room: {@link CodeBook} (codes),
 * {@link Registrations} (registration and its brute-force guard), {@link DeviceKeys} (authentication,
 * confirmation, rotation), {@link DeviceRegistry} (devices and the audit trail); this class only
 * hands each call to its room.
 * <p>
 * Every decision is taken inside one database transaction that also writes its audit event, so what
 * was answered is what was stored, and a race for one code is decided by the database: the first
 * transaction claims it, the others see the claim. Secrets are generated before the transaction and
 * only their hashes enter it.
 * <p>
 * Threading: immutable; safe for any number of request threads at once (see {@link TransactionalRules}).
 */
public final class ProvisioningService {
    private final CloudSettings settings;
    private final Clock clock;
    private final CodeBook codes;
    private final Registrations registrations;
    private final DeviceKeys keys;
    private final DeviceRegistry devices;
    private final PreProvisionedDevices preProvisioned;

    /**
     * @param db the database
     * @param settings the provisioning settings
     * @param clock the clock every expiry is measured with
     * @param random the source of every secret
     * @param codeHashKey the key provisioning codes are hashed with
     */
    public ProvisioningService(Database db, CloudSettings settings, Clock clock, SecureRandom random,
            byte[] codeHashKey) {
        byte[] key = codeHashKey.clone();
        this.settings = settings;
        this.clock = clock;
        this.codes = new CodeBook(db, settings, clock, random, key);
        this.registrations = new Registrations(db, settings, clock, random, key);
        this.keys = new DeviceKeys(db, settings, clock, random);
        this.devices = new DeviceRegistry(db, settings, clock, random);
        this.preProvisioned = new PreProvisionedDevices(db, settings, clock, random);
    }

    /**
     * Counts failed code attempts and lockouts with the other nodes of the cloud (several nodes only).
     *
     * @param failures the shared counts
     */
    public void shareFailures(SharedFailures failures) {
        registrations.shareFailures(failures);
    }

    /** @return the settings in force */
    public CloudSettings settings() {
        return settings;
    }

    /** @return the current time of the service's clock, epoch ms */
    public long now() {
        return clock.millis();
    }

    // ------------------------------------------------------------------ codes

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
        return codes.createCode(ttlSeconds, label, actor);
    }

    /**
     * @param limit most codes
     * @return codes, newest first
     */
    public List<CodeRecord> listCodes(int limit) {
        return codes.listCodes(limit);
    }

    /**
     * @param id a code's identifier
     * @return the code
     * @throws CloudError 404 if there is none
     */
    public CodeRecord code(String id) throws CloudError {
        return codes.code(id);
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
        return codes.revokeCode(id, actor);
    }

    // ------------------------------------------------------------------ registration

    /**
     * @param address a caller's address
     * @throws CloudError 429 {@code rate_limited} with {@code Retry-After} if the address is locked out
     */
    public void checkNotLockedOut(String address) throws CloudError {
        registrations.checkNotLockedOut(address);
    }

    /**
     * Records a registration refused before it reached the code (a malformed body, a lockout).
     *
     * @param address the caller's address
     * @param maskedCode the code, masked, if it had the shape of one
     * @param error what was answered
     */
    public void auditRefusedRegistration(String address, String maskedCode, CloudError error) {
        registrations.auditRefusedRegistration(address, maskedCode, error);
    }

    /**
     * Registers a device with a provisioning code (see {@code docs/protocol.md}).
     *
     * @param request the checked request
     * @param address the caller's address
     * @return the device and its key
     * @throws CloudError 429 {@code rate_limited}, 404 {@code code_invalid}, 410 {@code code_expired} /
     *         {@code code_consumed} / {@code code_revoked}, 409 {@code code_in_use}
     */
    public IssuedKey register(RegistrationRequest request, String address) throws CloudError {
        return registrations.register(request, address);
    }

    // ------------------------------------------------------------------ device keys

    /**
     * @param deviceId the Device ID the caller claims
     * @param apiKey the key it presented, or null
     * @return the device and key
     * @throws CloudError 401 {@code invalid_credentials}
     */
    public AuthenticatedDevice authenticate(String deviceId, String apiKey) throws CloudError {
        return keys.authenticate(deviceId, apiKey);
    }

    /**
     * Confirms that the device holds a key (see {@link DeviceKeys#confirm}).
     *
     * @param deviceId the Device ID
     * @param apiKey the key
     * @param address the caller's address
     * @return the device afterwards and the key confirmed
     * @throws CloudError 401 {@code invalid_credentials}
     */
    public AuthenticatedDevice confirm(String deviceId, String apiKey, String address) throws CloudError {
        return keys.confirm(deviceId, apiKey, address);
    }

    /**
     * Confirms a key with the facts the device reports (kept for a device an administrator created, which
     * registered with none; see {@link DeviceKeys#confirm(String, String, String, String, String)}).
     *
     * @param deviceId the Device ID
     * @param apiKey the key
     * @param address the caller's address
     * @param hardware hardware facts as JSON text, or null
     * @param network network facts as JSON text, or null
     * @return the device afterwards and the key confirmed
     * @throws CloudError 401 {@code invalid_credentials}
     */
    public AuthenticatedDevice confirm(String deviceId, String apiKey, String address, String hardware,
            String network) throws CloudError {
        return keys.confirm(deviceId, apiKey, address, hardware, network);
    }

    /**
     * Authenticates a device's call; the first call of a device an administrator created, still pending,
     * confirms its key and makes it active (a device that registered with a code confirms explicitly).
     *
     * @param deviceId the Device ID the caller claims
     * @param apiKey the key it presented, or null
     * @param address the caller's address
     * @return the device and key, afterwards
     * @throws CloudError 401 {@code invalid_credentials}
     */
    public AuthenticatedDevice authenticateUse(String deviceId, String apiKey, String address) throws CloudError {
        AuthenticatedDevice device = keys.authenticate(deviceId, apiKey);
        if (PreProvisionedDevices.isPreProvisioned(device.device())
                && DeviceRecord.PENDING.equals(device.device().status())) {
            return keys.confirm(deviceId, apiKey, address);
        }
        return device;
    }

    /**
     * Issues a new key to a confirmed device (see {@link DeviceKeys#rotateKey}).
     *
     * @param deviceId the Device ID
     * @param apiKey the current key
     * @param address the caller's address
     * @return the new key
     * @throws CloudError 401 {@code invalid_credentials}, 409 {@code not_confirmed}
     */
    public IssuedKey rotateKey(String deviceId, String apiKey, String address) throws CloudError {
        return keys.rotateKey(deviceId, apiKey, address);
    }

    // ------------------------------------------------------------------ devices

    /**
     * Creates a device with its credentials, as an administrator hands them to a device by hand (the
     * documentation's pre-provisioned credentials). The device is {@code pending}, without facts, until it
     * first uses the key.
     *
     * @param keyTtlSeconds the key's lifetime, or null for the server's
     * @param label a label for people, or null (kept in the audit trail)
     * @param actor the admin's address
     * @return the Device ID and the key: the only time the key exists in full
     * @throws CloudError 400 {@code invalid_request} if the TTL or label is out of bounds
     */
    public IssuedKey createDevice(Long keyTtlSeconds, String label, String actor) throws CloudError {
        return preProvisioned.create(keyTtlSeconds, label, actor);
    }

    /**
     * @param limit most devices
     * @return devices with their keys, newest first
     */
    public List<DeviceDetails> listDevices(int limit) {
        return devices.listDevices(limit);
    }

    /**
     * @param search what to look for, and which page (paged in the database query)
     * @return that page, newest first, and how many devices match in all
     */
    public DevicePage searchDevices(DeviceSearch search) {
        return devices.searchDevices(search);
    }

    /**
     * @param search which events (filtered in the database query)
     * @return those events, newest first
     */
    public List<AuditEvent> searchAudit(AuditSearch search) {
        return devices.searchAudit(search);
    }

    /**
     * @param id a Device ID
     * @return the device
     * @throws CloudError 404 if there is none
     */
    public DeviceDetails device(String id) throws CloudError {
        return devices.device(id);
    }

    /**
     * Revokes a device: every key it holds stops working at once.
     *
     * @param id the Device ID
     * @param actor the admin's address
     * @return the device afterwards
     * @throws CloudError 404 if there is no such device
     */
    public DeviceDetails revokeDevice(String id, String actor) throws CloudError {
        return devices.revokeDevice(id, actor);
    }

    /**
     * Records an operator's request that changes something on a device, sent through its tunnel; the body
     * and the query string are never recorded.
     *
     * @param address the admin's address
     * @param deviceId the device
     * @param method the method
     * @param path the path on the device, without its query string
     * @param result the device's HTTP status, or the error code when there was no answer
     */
    public void auditRemoteAccess(String address, String deviceId, String method, String path, String result) {
        devices.auditRemoteAccess(address, deviceId, method, path, result);
    }

    /**
     * @param beforeId only events older than this identifier, or 0
     * @param limit most events
     * @return audit events, newest first
     */
    public List<AuditEvent> audit(long beforeId, int limit) {
        return devices.audit(beforeId, limit);
    }
}
