package io.edgeflow.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of the audit trail, filtered in the database query: by event, by device, by result.
 *
 * @param event only events of this kind ({@code registration}, {@code device_revoked}, ...), or null
 * @param deviceId only events about this device, or null
 * @param result only events with this result ({@code ok}, or an error code), or null
 * @param beforeId only events older than this identifier, or 0 for the newest
 * @param limit most events
 */
public record AuditSearch(String event, String deviceId, String result, long beforeId, int limit) {
    /**
     * @throws IllegalArgumentException for a limit outside 1..1000
     */
    public AuditSearch {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit " + limit);
        }
        event = blankToNull(event);
        deviceId = blankToNull(deviceId);
        result = blankToNull(result);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /**
     * @param tx the transaction
     * @return the events, newest first
     * @throws SQLException on failure
     */
    public List<AuditEvent> page(StoreTransaction tx) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + AuditRows.AUDIT_COLUMNS
                + " FROM audit_events WHERE id < ?");
        List<String> values = new ArrayList<>();
        if (event != null) {
            sql.append(" AND event = ?");
            values.add(event);
        }
        if (deviceId != null) {
            sql.append(" AND device_id = ?");
            values.add(deviceId);
        }
        if (result != null) {
            sql.append(" AND result = ?");
            values.add(result);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        try (PreparedStatement s = tx.connection().prepareStatement(sql.toString())) {
            s.setLong(1, beforeId <= 0 ? Long.MAX_VALUE : beforeId);
            int i = 2;
            for (String v : values) {
                s.setString(i++, v);
            }
            s.setInt(i, limit);
            List<AuditEvent> events = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    events.add(AuditRows.auditEvent(rs));
                }
            }
            return events;
        }
    }
}
