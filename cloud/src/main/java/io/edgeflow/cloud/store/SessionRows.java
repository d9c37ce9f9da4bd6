package io.edgeflow.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The statements on {@code dashboard_sessions}: the dashboard's sign-in sessions that every node of a cloud
 * sees (several nodes only). A row is named by the SHA-256 of the session cookie, never by the cookie.
 */
public final class SessionRows {
    private final Session db;

    /**
     * A stored session.
     *
     * @param signedInAt epoch ms
     * @param lastSeenAt epoch ms of its last request on any node
     */
    public record SessionRow(long signedInAt, long lastSeenAt) {
    }

    SessionRows(Session db) {
        this.db = db;
    }

    /**
     * @param idHash the SHA-256 of the new session's cookie
     * @param at when it signed in
     * @throws SQLException on failure
     */
    public void add(String idHash, long at) throws SQLException {
        PreparedStatement s = db.prepare(
                "INSERT INTO dashboard_sessions (id_hash, signed_in_at, last_seen_at) VALUES (?, ?, ?)");
        s.setString(1, idHash);
        s.setLong(2, at);
        s.setLong(3, at);
        s.executeUpdate();
    }

    /**
     * @param idHash the SHA-256 of a session cookie
     * @return its session, if stored
     * @throws SQLException on failure
     */
    public Optional<SessionRow> find(String idHash) throws SQLException {
        PreparedStatement s = db.prepare(
                "SELECT signed_in_at, last_seen_at FROM dashboard_sessions WHERE id_hash = ?");
        s.setString(1, idHash);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(new SessionRow(rs.getLong(1), rs.getLong(2))) : Optional.empty();
        }
    }

    /**
     * Records a request of a session (its idle time starts again).
     *
     * @param idHash the SHA-256 of its cookie
     * @param at now
     * @throws SQLException on failure
     */
    public void seen(String idHash, long at) throws SQLException {
        PreparedStatement s = db.prepare(
                "UPDATE dashboard_sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?");
        s.setLong(1, at);
        s.setString(2, idHash);
        s.setLong(3, at);
        s.executeUpdate();
    }

    /**
     * @param idHash the SHA-256 of a session cookie
     * @throws SQLException on failure
     */
    public void remove(String idHash) throws SQLException {
        PreparedStatement s = db.prepare("DELETE FROM dashboard_sessions WHERE id_hash = ?");
        s.setString(1, idHash);
        s.executeUpdate();
    }

    /**
     * Forgets the sessions that have ended.
     *
     * @param idleBefore a session last seen before this is idle too long
     * @param signedInBefore a session signed in before this is too old
     * @throws SQLException on failure
     */
    public void removeEnded(long idleBefore, long signedInBefore) throws SQLException {
        PreparedStatement s = db.prepare(
                "DELETE FROM dashboard_sessions WHERE last_seen_at <= ? OR signed_in_at <= ?");
        s.setLong(1, idleBefore);
        s.setLong(2, signedInBefore);
        s.executeUpdate();
    }

    /**
     * @return how many sessions are stored
     * @throws SQLException on failure
     */
    public int count() throws SQLException {
        PreparedStatement s = db.prepare("SELECT COUNT(*) FROM dashboard_sessions");
        try (ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
