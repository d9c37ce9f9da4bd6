package io.edgeflow.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The statements on {@code audit_events}; see {@link StoreTransaction}. */
final class AuditRows {
    private static final String AUDIT_COLUMNS = "id, at, event, result, source_address, code_id, code_mask,"
            + " device_id, request_id, detail";

    private final Session session;

    AuditRows(Session session) {
        this.session = session;
    }

    void audit(AuditEvent e) throws SQLException {
        PreparedStatement s = session.prepare("INSERT INTO audit_events (" + AUDIT_COLUMNS
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
        // The dialect decides: MAX + 1 where one writer runs at a time (no gap after a rollback, and a
        // restart continues where the file ends), a sequence where transactions run side by side.
        PreparedStatement s = session.prepare(session.dialect().nextAuditIdQuery());
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no audit identifier");
            }
            return rs.getLong(1);
        }
    }

    List<AuditEvent> listAudit(long beforeId, int limit) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + AUDIT_COLUMNS
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
}
