package io.edgeflow.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The statements on {@code meta} (settings by name) and {@code admin_tokens}; see {@link StoreTransaction}. */
final class SettingRows {
    private final Session session;

    SettingRows(Session session) {
        this.session = session;
    }

    String meta(String name) throws SQLException {
        PreparedStatement s = session.prepare("SELECT val FROM meta WHERE name = ?");
        s.setString(1, name);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    void putMeta(String name, String value) throws SQLException {
        PreparedStatement update = session.prepare("UPDATE meta SET val = ? WHERE name = ?");
        update.setString(1, value);
        update.setString(2, name);
        if (update.executeUpdate() == 0) {
            PreparedStatement insert = session.prepare("INSERT INTO meta (name, val) VALUES (?, ?)");
            insert.setString(1, name);
            insert.setString(2, value);
            insert.executeUpdate();
        }
    }

    void insertAdminToken(String id, String tokenHash, long at) throws SQLException {
        PreparedStatement s = session.prepare("INSERT INTO admin_tokens (id, token_hash, created_at) VALUES (?, ?, ?)");
        s.setString(1, id);
        s.setString(2, tokenHash);
        s.setLong(3, at);
        s.executeUpdate();
    }

    List<String> adminTokenHashes() throws SQLException {
        PreparedStatement s = session.prepare("SELECT token_hash FROM admin_tokens WHERE revoked_at IS NULL");
        List<String> hashes = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                hashes.add(rs.getString(1));
            }
        }
        return hashes;
    }

    void revokeAdminTokens(long at) throws SQLException {
        PreparedStatement s = session.prepare("UPDATE admin_tokens SET revoked_at = ? WHERE revoked_at IS NULL");
        s.setLong(1, at);
        s.executeUpdate();
    }
}
