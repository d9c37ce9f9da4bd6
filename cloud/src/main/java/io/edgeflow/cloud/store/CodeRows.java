package io.edgeflow.cloud.store;

import static io.edgeflow.cloud.store.Columns.getLong;
import static io.edgeflow.cloud.store.Columns.setLong;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The statements on {@code provisioning_codes}; see {@link StoreTransaction}. */
final class CodeRows {
    private static final String CODE_COLUMNS = "id, code_hash, code_hint, label, created_at, expires_at, revoked_at,"
            + " claim_device_id, claim_request_id, claim_until, consumed_at, version";

    private final Session session;

    CodeRows(Session session) {
        this.session = session;
    }

    void insertCode(CodeRecord c) throws SQLException {
        PreparedStatement s = session.prepare("INSERT INTO provisioning_codes (" + CODE_COLUMNS
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

    /** Compare-and-set on the version column: the race on a code is decided here. */
    boolean updateCode(CodeRecord c) throws SQLException {
        PreparedStatement s = session.prepare("UPDATE provisioning_codes SET revoked_at = ?, claim_device_id = ?,"
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

    Optional<CodeRecord> findCodeByHash(String codeHash) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + CODE_COLUMNS + " FROM provisioning_codes WHERE code_hash = ?");
        s.setString(1, codeHash);
        return oneCode(s);
    }

    Optional<CodeRecord> findCode(String id) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + CODE_COLUMNS + " FROM provisioning_codes WHERE id = ?");
        s.setString(1, id);
        return oneCode(s);
    }

    List<CodeRecord> listCodes(int limit) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + CODE_COLUMNS
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
}
