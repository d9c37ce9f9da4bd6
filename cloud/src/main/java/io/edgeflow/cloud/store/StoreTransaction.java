package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operations of one transaction. Created by {@link Database#transaction}; valid only inside it.
 * Updates that decide races (a code's claim) are compare-and-set on a version column, so the same
 * statements stay correct on an engine that runs transactions side by side.
 */
public final class StoreTransaction {
    private static final String CODE_COLUMNS = "id, code_hash, code_hint, label, created_at, expires_at, revoked_at,"
            + " claim_device_id, claim_request_id, claim_until, consumed_at, version";
    static final String DEVICE_COLUMNS = "id, code_id, request_id, status, hardware, network, source_address,"
            + " registered_at, confirmed_at, revoked_at, updated_at";
    private static final String KEY_COLUMNS = "id, device_id, key_hash, key_hint, status, created_at, expires_at,"
            + " valid_until, confirmed_at, retired_at";
    static final String AUDIT_COLUMNS = "id, at, event, result, source_address, code_id, code_mask,"
            + " device_id, request_id, detail";

    private final Database db;

    StoreTransaction(Database db) {
        this.db = db;
    }

    Connection connection() {
        return db.connection();
    }

    // ---- meta

    /**
     * @param name a setting's name
     * @return its value, or null
     * @throws SQLException on failure
     */
    public String meta(String name) throws SQLException {
        PreparedStatement s = db.prepare("SELECT val FROM meta WHERE name = ?");
        s.setString(1, name);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * @param name a setting's name
     * @param value its new value
     * @throws SQLException on failure
     */
    public void putMeta(String name, String value) throws SQLException {
        PreparedStatement update = db.prepare("UPDATE meta SET val = ? WHERE name = ?");
        update.setString(1, value);
        update.setString(2, name);
        if (update.executeUpdate() == 0) {
            PreparedStatement insert = db.prepare("INSERT INTO meta (name, val) VALUES (?, ?)");
            insert.setString(1, name);
            insert.setString(2, value);
            insert.executeUpdate();
        }
    }

    // ---- admin tokens

    /**
     * @param id identifier
     * @param tokenHash SHA-256 of the token
     * @param at creation time
     * @throws SQLException on failure
     */
    public void insertAdminToken(String id, String tokenHash, long at) throws SQLException {
        PreparedStatement s = db.prepare("INSERT INTO admin_tokens (id, token_hash, created_at) VALUES (?, ?, ?)");
        s.setString(1, id);
        s.setString(2, tokenHash);
        s.setLong(3, at);
        s.executeUpdate();
    }

    /**
     * @return the hashes of the admin tokens that are not revoked
     * @throws SQLException on failure
     */
    public List<String> adminTokenHashes() throws SQLException {
        PreparedStatement s = db.prepare("SELECT token_hash FROM admin_tokens WHERE revoked_at IS NULL");
        List<String> hashes = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                hashes.add(rs.getString(1));
            }
        }
        return hashes;
    }

    /**
     * Revokes every admin token.
     *
     * @param at when
     * @throws SQLException on failure
     */
    public void revokeAdminTokens(long at) throws SQLException {
        PreparedStatement s = db.prepare("UPDATE admin_tokens SET revoked_at = ? WHERE revoked_at IS NULL");
        s.setLong(1, at);
        s.executeUpdate();
    }

    // ---- provisioning codes

    /**
     * @param c the new code
     * @throws SQLException on failure (a duplicate hash included)
     */
    public void insertCode(CodeRecord c) throws SQLException {
        PreparedStatement s = db.prepare("INSERT INTO provisioning_codes (" + CODE_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        s.setString(1, c.id());
        s.setString(2, c.codeHash());
        s.setString(3, c.hint());
        s.setString(4, c.label());
        s.setLong(5, c.createdAt());
        s.setLong(6, c.expiresAt());
        setLong(s, 7, c.revokedAt());
        s.setString(8, c.claimDeviceId());
        s.setString(9, c.claimRequestId());
        setLong(s, 10, c.claimUntil());
        setLong(s, 11, c.consumedAt());
        s.setLong(12, c.version());
        s.executeUpdate();
    }

    /**
     * Writes a code's mutable state if nobody changed it since it was read.
     *
     * @param c the new state; its version is the one that was read
     * @return true if written, false if the stored version moved on (re-read and decide again)
     * @throws SQLException on failure
     */
    public boolean updateCode(CodeRecord c) throws SQLException {
        PreparedStatement s = db.prepare("UPDATE provisioning_codes SET revoked_at = ?, claim_device_id = ?,"
                + " claim_request_id = ?, claim_until = ?, consumed_at = ?, version = ? WHERE id = ? AND version = ?");
        setLong(s, 1, c.revokedAt());
        s.setString(2, c.claimDeviceId());
        s.setString(3, c.claimRequestId());
        setLong(s, 4, c.claimUntil());
        setLong(s, 5, c.consumedAt());
        s.setLong(6, c.version() + 1);
        s.setString(7, c.id());
        s.setLong(8, c.version());
        return s.executeUpdate() == 1;
    }

    /**
     * @param codeHash the keyed hash of a code
     * @return the code with that hash
     * @throws SQLException on failure
     */
    public Optional<CodeRecord> findCodeByHash(String codeHash) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + CODE_COLUMNS + " FROM provisioning_codes WHERE code_hash = ?");
        s.setString(1, codeHash);
        return oneCode(s);
    }

    /**
     * @param id a code's identifier
     * @return the code
     * @throws SQLException on failure
     */
    public Optional<CodeRecord> findCode(String id) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + CODE_COLUMNS + " FROM provisioning_codes WHERE id = ?");
        s.setString(1, id);
        return oneCode(s);
    }

    /**
     * @param limit most codes to return
     * @return codes, newest first
     * @throws SQLException on failure
     */
    public List<CodeRecord> listCodes(int limit) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + CODE_COLUMNS
                + " FROM provisioning_codes ORDER BY created_at DESC, id DESC LIMIT ?");
        s.setInt(1, limit);
        List<CodeRecord> codes = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                codes.add(code(rs));
            }
        }
        return codes;
    }

    private Optional<CodeRecord> oneCode(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(code(rs)) : Optional.empty();
        }
    }

    private static CodeRecord code(ResultSet rs) throws SQLException {
        return new CodeRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getLong(6), getLong(rs, 7), rs.getString(8), rs.getString(9), getLong(rs, 10), getLong(rs, 11),
                rs.getLong(12));
    }

    // ---- devices

    /**
     * @param d the new device
     * @throws SQLException on failure
     */
    public void insertDevice(DeviceRecord d) throws SQLException {
        PreparedStatement s = db.prepare("INSERT INTO devices (" + DEVICE_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        bindDevice(s, d);
        s.executeUpdate();
    }

    /**
     * @param d the device's new state
     * @throws SQLException on failure
     */
    public void updateDevice(DeviceRecord d) throws SQLException {
        PreparedStatement s = db.prepare("UPDATE devices SET code_id = ?, request_id = ?, status = ?, hardware = ?,"
                + " network = ?, source_address = ?, registered_at = ?, confirmed_at = ?, revoked_at = ?,"
                + " updated_at = ? WHERE id = ?");
        s.setString(1, d.codeId());
        s.setString(2, d.requestId());
        s.setString(3, d.status());
        s.setString(4, d.hardware());
        s.setString(5, d.network());
        s.setString(6, d.sourceAddress());
        s.setLong(7, d.registeredAt());
        setLong(s, 8, d.confirmedAt());
        setLong(s, 9, d.revokedAt());
        s.setLong(10, d.updatedAt());
        s.setString(11, d.id());
        if (s.executeUpdate() != 1) {
            throw new SQLException("device " + d.id() + " vanished");
        }
    }

    private static void bindDevice(PreparedStatement s, DeviceRecord d) throws SQLException {
        s.setString(1, d.id());
        s.setString(2, d.codeId());
        s.setString(3, d.requestId());
        s.setString(4, d.status());
        s.setString(5, d.hardware());
        s.setString(6, d.network());
        s.setString(7, d.sourceAddress());
        s.setLong(8, d.registeredAt());
        setLong(s, 9, d.confirmedAt());
        setLong(s, 10, d.revokedAt());
        s.setLong(11, d.updatedAt());
    }

    /**
     * @param id a Device ID
     * @return the device
     * @throws SQLException on failure
     */
    public Optional<DeviceRecord> findDevice(String id) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + DEVICE_COLUMNS + " FROM devices WHERE id = ?");
        s.setString(1, id);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(device(rs)) : Optional.empty();
        }
    }

    /**
     * @param limit most devices to return
     * @return devices, newest first
     * @throws SQLException on failure
     */
    public List<DeviceRecord> listDevices(int limit) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + DEVICE_COLUMNS
                + " FROM devices ORDER BY registered_at DESC, id DESC LIMIT ?");
        s.setInt(1, limit);
        List<DeviceRecord> devices = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                devices.add(device(rs));
            }
        }
        return devices;
    }

    static DeviceRecord device(ResultSet rs) throws SQLException {
        return new DeviceRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getLong(8), getLong(rs, 9), getLong(rs, 10), rs.getLong(11));
    }

    // ---- API keys

    /**
     * @param k the new key
     * @throws SQLException on failure
     */
    public void insertKey(KeyRecord k) throws SQLException {
        PreparedStatement s = db.prepare("INSERT INTO api_keys (" + KEY_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        s.setString(1, k.id());
        s.setString(2, k.deviceId());
        s.setString(3, k.keyHash());
        s.setString(4, k.hint());
        s.setString(5, k.status());
        s.setLong(6, k.createdAt());
        s.setLong(7, k.expiresAt());
        setLong(s, 8, k.validUntil());
        setLong(s, 9, k.confirmedAt());
        setLong(s, 10, k.retiredAt());
        s.executeUpdate();
    }

    /**
     * @param k the key's new state
     * @throws SQLException on failure
     */
    public void updateKey(KeyRecord k) throws SQLException {
        PreparedStatement s = db.prepare("UPDATE api_keys SET status = ?, valid_until = ?, confirmed_at = ?,"
                + " retired_at = ? WHERE id = ?");
        s.setString(1, k.status());
        setLong(s, 2, k.validUntil());
        setLong(s, 3, k.confirmedAt());
        setLong(s, 4, k.retiredAt());
        s.setString(5, k.id());
        s.executeUpdate();
    }

    /**
     * @param deviceId a Device ID
     * @return every key the device was ever given, oldest first
     * @throws SQLException on failure
     */
    public List<KeyRecord> keysOf(String deviceId) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + KEY_COLUMNS
                + " FROM api_keys WHERE device_id = ? ORDER BY created_at, id");
        s.setString(1, deviceId);
        List<KeyRecord> keys = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                keys.add(new KeyRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getLong(6), rs.getLong(7), getLong(rs, 8), getLong(rs, 9),
                        getLong(rs, 10)));
            }
        }
        return keys;
    }

    // ---- audit

    /**
     * Appends to the audit trail; the identifier given is ignored and a new one assigned.
     *
     * @param e the event
     * @throws SQLException on failure
     */
    public void audit(AuditEvent e) throws SQLException {
        PreparedStatement s = db.prepare("INSERT INTO audit_events (" + AUDIT_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        s.setLong(1, nextAuditId());
        s.setLong(2, e.at());
        s.setString(3, e.event());
        s.setString(4, e.result());
        s.setString(5, e.sourceAddress());
        s.setString(6, e.codeId());
        s.setString(7, e.codeMask());
        s.setString(8, e.deviceId());
        s.setString(9, e.requestId());
        s.setString(10, e.detail());
        s.executeUpdate();
    }

    private long nextAuditId() throws SQLException {
        // One writer (the Database lock): MAX + 1 is safe and portable. Read inside the transaction,
        // so a rolled-back event leaves no gap and a restart continues where the file ends.
        PreparedStatement s = db.prepare("SELECT MAX(id) FROM audit_events");
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) + 1 : 1;
        }
    }

    /**
     * @param beforeId only events with a smaller identifier, or 0 for the newest
     * @param limit most events to return
     * @return events, newest first
     * @throws SQLException on failure
     */
    public List<AuditEvent> listAudit(long beforeId, int limit) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + AUDIT_COLUMNS
                + " FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT ?");
        s.setLong(1, beforeId <= 0 ? Long.MAX_VALUE : beforeId);
        s.setInt(2, limit);
        List<AuditEvent> events = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                events.add(auditEvent(rs));
            }
        }
        return events;
    }

    static AuditEvent auditEvent(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10));
    }

    // ---- artifacts (remote updates)

    /**
     * @param a a new artifact (its signatures are not written here)
     * @throws SQLException on failure
     */
    public void insertArtifact(ArtifactRecord a) throws SQLException {
        PreparedStatement s = db.prepare("INSERT INTO artifacts (sha256, symbolic_name, version, size, uploaded_at)"
                + " VALUES (?, ?, ?, ?, ?)");
        s.setString(1, a.sha256());
        s.setString(2, a.symbolicName());
        s.setString(3, a.version());
        s.setLong(4, a.size());
        s.setLong(5, a.uploadedAt());
        s.executeUpdate();
    }

    /**
     * @param sha256 an artifact
     * @return it with its signatures, or empty
     * @throws SQLException on failure
     */
    public Optional<ArtifactRecord> findArtifact(String sha256) throws SQLException {
        PreparedStatement s = db.prepare("SELECT sha256, symbolic_name, version, size, uploaded_at FROM artifacts"
                + " WHERE sha256 = ?");
        s.setString(1, sha256);
        String name;
        String version;
        long size;
        long at;
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            name = rs.getString(2);
            version = rs.getString(3);
            size = rs.getLong(4);
            at = rs.getLong(5);
        }
        return Optional.of(new ArtifactRecord(sha256, name, version, size, at, signaturesOf(sha256)));
    }

    /**
     * @param limit most artifacts
     * @return artifacts, newest first
     * @throws SQLException on failure
     */
    public List<ArtifactRecord> listArtifacts(int limit) throws SQLException {
        PreparedStatement s = db.prepare("SELECT sha256 FROM artifacts ORDER BY uploaded_at DESC, sha256 LIMIT ?");
        s.setInt(1, limit);
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        List<ArtifactRecord> list = new ArrayList<>();
        for (String id : ids) {
            findArtifact(id).ifPresent(list::add);
        }
        return list;
    }

    private List<SignatureRecord> signaturesOf(String sha256) throws SQLException {
        PreparedStatement s = db.prepare("SELECT key_id, public_key, signature, added_at FROM artifact_signatures"
                + " WHERE sha256 = ? ORDER BY added_at, key_id");
        s.setString(1, sha256);
        List<SignatureRecord> list = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                list.add(new SignatureRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
            }
        }
        return list;
    }

    /**
     * Adds a signature, replacing one by the same key.
     *
     * @param sha256 the artifact
     * @param sig the signature
     * @throws SQLException on failure
     */
    public void putSignature(String sha256, SignatureRecord sig) throws SQLException {
        PreparedStatement d = db.prepare("DELETE FROM artifact_signatures WHERE sha256 = ? AND key_id = ?");
        d.setString(1, sha256);
        d.setString(2, sig.keyId());
        d.executeUpdate();
        PreparedStatement s = db.prepare("INSERT INTO artifact_signatures (sha256, key_id, public_key, signature,"
                + " added_at) VALUES (?, ?, ?, ?, ?)");
        s.setString(1, sha256);
        s.setString(2, sig.keyId());
        s.setString(3, sig.publicKey());
        s.setString(4, sig.signature());
        s.setLong(5, sig.addedAt());
        s.executeUpdate();
    }

    /**
     * @param sha256 an artifact to forget, with its signatures
     * @throws SQLException on failure
     */
    public void deleteArtifact(String sha256) throws SQLException {
        for (String sql : new String[] {"DELETE FROM artifact_signatures WHERE sha256 = ?",
            "DELETE FROM artifacts WHERE sha256 = ?"}) {
            PreparedStatement s = db.prepare(sql);
            s.setString(1, sha256);
            s.executeUpdate();
        }
    }

    /**
     * @param sha256 an artifact
     * @return the deployments not yet finished (running or halted) that use it
     * @throws SQLException on failure
     */
    public List<String> unfinishedDeploymentsUsing(String sha256) throws SQLException {
        PreparedStatement s = db.prepare("SELECT d.id FROM deployments d JOIN deployment_artifacts a"
                + " ON a.deployment_id = d.id WHERE a.sha256 = ? AND d.state IN ('running', 'halted') ORDER BY d.id");
        s.setString(1, sha256);
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /**
     * @param deviceId a device
     * @param sha256 an artifact
     * @return true if a deployment that targets the device uses the artifact
     * @throws SQLException on failure
     */
    public boolean artifactTargets(String deviceId, String sha256) throws SQLException {
        PreparedStatement s = db.prepare("SELECT COUNT(*) FROM deployment_artifacts a JOIN deployment_devices t"
                + " ON t.deployment_id = a.deployment_id WHERE a.sha256 = ? AND t.device_id = ?");
        s.setString(1, sha256);
        s.setString(2, deviceId);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() && rs.getLong(1) > 0;
        }
    }

    // ---- deployments (remote updates)

    private static final String DEPLOYMENT_COLUMNS = "id, state, spec, current_wave, created_at, updated_at";
    private static final String TARGET_COLUMNS = "deployment_id, device_id, wave, state, updated_at, reason, failed";

    /**
     * @param d a new deployment
     * @param artifacts the artifacts its operations use
     * @param targets its devices
     * @throws SQLException on failure
     */
    public void insertDeployment(DeploymentRecord d, List<String> artifacts, List<DeploymentTarget> targets)
            throws SQLException {
        PreparedStatement s = db.prepare("INSERT INTO deployments (" + DEPLOYMENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)");
        s.setString(1, d.id());
        s.setString(2, d.state());
        s.setString(3, d.spec());
        s.setLong(4, d.currentWave());
        s.setLong(5, d.createdAt());
        s.setLong(6, d.updatedAt());
        s.executeUpdate();
        for (String sha : artifacts) {
            PreparedStatement a = db.prepare("INSERT INTO deployment_artifacts (deployment_id, sha256) VALUES (?, ?)");
            a.setString(1, d.id());
            a.setString(2, sha);
            a.executeUpdate();
        }
        for (DeploymentTarget t : targets) {
            PreparedStatement a = db.prepare("INSERT INTO deployment_devices (" + TARGET_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
            a.setString(1, t.deploymentId());
            a.setString(2, t.deviceId());
            a.setLong(3, t.wave());
            a.setString(4, t.state());
            a.setLong(5, t.updatedAt());
            a.setString(6, t.reason());
            a.setString(7, t.failed());
            a.executeUpdate();
        }
    }

    /**
     * @param id a deployment
     * @return it, or empty
     * @throws SQLException on failure
     */
    public Optional<DeploymentRecord> findDeployment(String id) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = ?");
        s.setString(1, id);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(deployment(rs)) : Optional.empty();
        }
    }

    /**
     * @param limit most deployments
     * @return deployments, newest first
     * @throws SQLException on failure
     */
    public List<DeploymentRecord> listDeployments(int limit) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + DEPLOYMENT_COLUMNS
                + " FROM deployments ORDER BY created_at DESC, id DESC LIMIT ?");
        s.setInt(1, limit);
        List<DeploymentRecord> list = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                list.add(deployment(rs));
            }
        }
        return list;
    }

    /**
     * @param id a deployment
     * @param state its new state
     * @param currentWave its current wave
     * @param at when
     * @throws SQLException on failure
     */
    public void updateDeployment(String id, String state, long currentWave, long at) throws SQLException {
        PreparedStatement s = db.prepare("UPDATE deployments SET state = ?, current_wave = ?, updated_at = ? WHERE id = ?");
        s.setString(1, state);
        s.setLong(2, currentWave);
        s.setLong(3, at);
        s.setString(4, id);
        s.executeUpdate();
    }

    /**
     * @param deploymentId a deployment
     * @return its devices, by wave then device id
     * @throws SQLException on failure
     */
    public List<DeploymentTarget> targetsOf(String deploymentId) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + TARGET_COLUMNS
                + " FROM deployment_devices WHERE deployment_id = ? ORDER BY wave, device_id");
        s.setString(1, deploymentId);
        List<DeploymentTarget> list = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                list.add(target(rs));
            }
        }
        return list;
    }

    /**
     * @param deviceId a device
     * @return its rows in deployments that are running, oldest deployment first
     * @throws SQLException on failure
     */
    public List<DeploymentTarget> runningTargetsOfDevice(String deviceId) throws SQLException {
        PreparedStatement s = db.prepare("SELECT t.deployment_id, t.device_id, t.wave, t.state, t.updated_at,"
                + " t.reason, t.failed FROM deployment_devices t JOIN deployments d ON d.id = t.deployment_id"
                + " WHERE t.device_id = ? AND d.state = 'running' AND t.wave <= d.current_wave"
                + " ORDER BY d.created_at, d.id");
        s.setString(1, deviceId);
        List<DeploymentTarget> list = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                list.add(target(rs));
            }
        }
        return list;
    }

    /**
     * @param deploymentId a deployment
     * @param deviceId a device
     * @return its row, or empty
     * @throws SQLException on failure
     */
    public Optional<DeploymentTarget> findTarget(String deploymentId, String deviceId) throws SQLException {
        PreparedStatement s = db.prepare("SELECT " + TARGET_COLUMNS
                + " FROM deployment_devices WHERE deployment_id = ? AND device_id = ?");
        s.setString(1, deploymentId);
        s.setString(2, deviceId);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(target(rs)) : Optional.empty();
        }
    }

    /**
     * @param t a device's row with its new state
     * @throws SQLException on failure
     */
    public void updateTarget(DeploymentTarget t) throws SQLException {
        PreparedStatement s = db.prepare("UPDATE deployment_devices SET state = ?, updated_at = ?, reason = ?,"
                + " failed = ? WHERE deployment_id = ? AND device_id = ?");
        s.setString(1, t.state());
        s.setLong(2, t.updatedAt());
        s.setString(3, t.reason());
        s.setString(4, t.failed());
        s.setString(5, t.deploymentId());
        s.setString(6, t.deviceId());
        s.executeUpdate();
    }

    private static DeploymentRecord deployment(ResultSet rs) throws SQLException {
        return new DeploymentRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6));
    }

    private static DeploymentTarget target(ResultSet rs) throws SQLException {
        return new DeploymentTarget(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getLong(5),
                rs.getString(6), rs.getString(7));
    }

    // ---- helpers

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private static Long getLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }
}
