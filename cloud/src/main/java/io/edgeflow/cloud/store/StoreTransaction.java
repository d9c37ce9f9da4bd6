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
    private static final String DEVICE_COLUMNS = "id, code_id, request_id, status, hardware, network, source_address,"
            + " registered_at, confirmed_at, revoked_at, updated_at";
    private static final String KEY_COLUMNS = "id, device_id, key_hash, key_hint, status, created_at, expires_at,"
            + " valid_until, confirmed_at, retired_at";
    private static final String AUDIT_COLUMNS = "id, at, event, result, source_address, code_id, code_mask,"
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

    private static DeviceRecord device(ResultSet rs) throws SQLException {
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
                events.add(new AuditEvent(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        rs.getString(10)));
            }
        }
        return events;
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
