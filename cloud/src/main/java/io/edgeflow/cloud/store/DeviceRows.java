package io.edgeflow.cloud.store;

import static io.edgeflow.cloud.store.Columns.getLong;
import static io.edgeflow.cloud.store.Columns.setLong;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The statements on {@code devices} and their {@code api_keys}; see {@link StoreTransaction}. */
final class DeviceRows {
    private static final String DEVICE_COLUMNS = "id, code_id, request_id, status, hardware, network, source_address,"
            + " registered_at, confirmed_at, revoked_at, updated_at";
    private static final String KEY_COLUMNS = "id, device_id, key_hash, key_hint, status, created_at, expires_at,"
            + " valid_until, confirmed_at, retired_at";

    private final Session session;

    DeviceRows(Session session) {
        this.session = session;
    }

    void insertDevice(DeviceRecord d) throws SQLException {
        PreparedStatement s = session.prepare("INSERT INTO devices (" + DEVICE_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
        s.executeUpdate();
    }

    void updateDevice(DeviceRecord d) throws SQLException {
        PreparedStatement s = session.prepare("UPDATE devices SET code_id = ?, request_id = ?, status = ?, hardware = ?,"
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

    Optional<DeviceRecord> findDevice(String id) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + DEVICE_COLUMNS + " FROM devices WHERE id = ?");
        s.setString(1, id);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(device(rs)) : Optional.empty();
        }
    }

    List<DeviceRecord> listDevices(int limit) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + DEVICE_COLUMNS
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

    void insertKey(KeyRecord k) throws SQLException {
        PreparedStatement s = session.prepare("INSERT INTO api_keys (" + KEY_COLUMNS
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

    void updateKey(KeyRecord k) throws SQLException {
        PreparedStatement s = session.prepare("UPDATE api_keys SET status = ?, valid_until = ?, confirmed_at = ?,"
                + " retired_at = ? WHERE id = ?");
        s.setString(1, k.status());
        setLong(s, 2, k.validUntil());
        setLong(s, 3, k.confirmedAt());
        setLong(s, 4, k.retiredAt());
        s.setString(5, k.id());
        s.executeUpdate();
    }

    List<KeyRecord> keysOf(String deviceId) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + KEY_COLUMNS
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
}
