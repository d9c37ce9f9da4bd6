package io.edgeflow.cloud.store;

import static io.edgeflow.cloud.store.Columns.getLong;
import static io.edgeflow.cloud.store.Columns.setLong;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The statements on {@code cloud_nodes} and {@code device_presence}: the nodes of one cloud and where each
 * device's tunnel is. A node changes only its own presence rows (compare-and-set on {@code node_id}), so a
 * device that moved to another node is never marked offline by the node it left.
 */
public final class NodeRows {
    private final Session db;

    NodeRows(Session db) {
        this.db = db;
    }

    /**
     * Records a node's heartbeat (and its address), adding its row the first time.
     *
     * @param nodeId the node
     * @param url where the other nodes reach it
     * @param at now
     * @throws SQLException on failure
     */
    public void heartbeat(String nodeId, String url, long at) throws SQLException {
        PreparedStatement update = db.prepare("UPDATE cloud_nodes SET url = ?, heartbeat_at = ? WHERE node_id = ?");
        update.setString(1, url);
        update.setLong(2, at);
        update.setString(3, nodeId);
        if (update.executeUpdate() == 0) {
            PreparedStatement insert = db.prepare("INSERT INTO cloud_nodes (node_id, url, heartbeat_at) VALUES (?, ?, ?)");
            insert.setString(1, nodeId);
            insert.setString(2, url);
            insert.setLong(3, at);
            insert.executeUpdate();
        }
    }

    /**
     * @param since the oldest heartbeat of a live node
     * @return the nodes that heartbeated at or after it
     * @throws SQLException on failure
     */
    public List<NodeRow> liveNodes(long since) throws SQLException {
        PreparedStatement s = db.prepare(
                "SELECT node_id, url, heartbeat_at FROM cloud_nodes WHERE heartbeat_at >= ? ORDER BY node_id");
        s.setLong(1, since);
        List<NodeRow> nodes = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                nodes.add(new NodeRow(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return nodes;
    }

    /**
     * Forgets the nodes that stopped heartbeating before a time, and marks the devices they held offline (as
     * of now: when the cleaning node noticed).
     *
     * @param before a node with an older heartbeat is dead
     * @param now when
     * @return the devices marked offline
     * @throws SQLException on failure
     */
    public int removeDeadNodes(long before, long now) throws SQLException {
        PreparedStatement offline = db.prepare("UPDATE device_presence SET node_id = NULL, connected_at = NULL,"
                + " remote_address = NULL, disconnected_at = ? WHERE node_id IN"
                + " (SELECT node_id FROM cloud_nodes WHERE heartbeat_at < ?)");
        offline.setLong(1, now);
        offline.setLong(2, before);
        int devices = offline.executeUpdate();
        PreparedStatement nodes = db.prepare("DELETE FROM cloud_nodes WHERE heartbeat_at < ?");
        nodes.setLong(1, before);
        nodes.executeUpdate();
        return devices;
    }

    /**
     * Forgets a node that stops, and marks its devices offline.
     *
     * @param nodeId the node
     * @param now when
     * @throws SQLException on failure
     */
    public void removeNode(String nodeId, long now) throws SQLException {
        PreparedStatement offline = db.prepare("UPDATE device_presence SET node_id = NULL, connected_at = NULL,"
                + " remote_address = NULL, disconnected_at = ? WHERE node_id = ?");
        offline.setLong(1, now);
        offline.setString(2, nodeId);
        offline.executeUpdate();
        PreparedStatement node = db.prepare("DELETE FROM cloud_nodes WHERE node_id = ?");
        node.setString(1, nodeId);
        node.executeUpdate();
    }

    /**
     * A device's tunnel opened on a node: its row names that node from now on.
     *
     * @param deviceId the device
     * @param nodeId the node
     * @param at when
     * @param lastHeartbeatAt the last heartbeat known, or null
     * @param remoteAddress where the tunnel comes from
     * @throws SQLException on failure
     */
    public void opened(String deviceId, String nodeId, long at, Long lastHeartbeatAt, String remoteAddress)
            throws SQLException {
        PreparedStatement update = db.prepare("UPDATE device_presence SET node_id = ?, connected_at = ?,"
                + " last_heartbeat_at = COALESCE(?, last_heartbeat_at), disconnected_at = NULL, remote_address = ?"
                + " WHERE device_id = ?");
        update.setString(1, nodeId);
        update.setLong(2, at);
        setLong(update, 3, lastHeartbeatAt);
        update.setString(4, remoteAddress);
        update.setString(5, deviceId);
        if (update.executeUpdate() == 0) {
            PreparedStatement insert = db.prepare("INSERT INTO device_presence (device_id, node_id, connected_at,"
                    + " last_heartbeat_at, disconnected_at, remote_address) VALUES (?, ?, ?, ?, NULL, ?)");
            insert.setString(1, deviceId);
            insert.setString(2, nodeId);
            insert.setLong(3, at);
            setLong(insert, 4, lastHeartbeatAt);
            insert.setString(5, remoteAddress);
            insert.executeUpdate();
        }
    }

    /**
     * A device's tunnel closed on a node; the row changes only if it still names that node.
     *
     * @param deviceId the device
     * @param nodeId the node
     * @param at when
     * @param lastHeartbeatAt the tunnel's last heartbeat, or null
     * @return true if the row named the node
     * @throws SQLException on failure
     */
    public boolean closed(String deviceId, String nodeId, long at, Long lastHeartbeatAt) throws SQLException {
        PreparedStatement s = db.prepare("UPDATE device_presence SET node_id = NULL, connected_at = NULL,"
                + " remote_address = NULL, disconnected_at = ?, last_heartbeat_at = COALESCE(?, last_heartbeat_at)"
                + " WHERE device_id = ? AND node_id = ?");
        s.setLong(1, at);
        setLong(s, 2, lastHeartbeatAt);
        s.setString(3, deviceId);
        s.setString(4, nodeId);
        return s.executeUpdate() == 1;
    }

    /**
     * Records the last heartbeats of a node's devices (rows naming another node are left alone).
     *
     * @param nodeId the node
     * @param lastHeartbeats device id to its last heartbeat (ms since the epoch)
     * @throws SQLException on failure
     */
    public void heartbeats(String nodeId, Map<String, Long> lastHeartbeats) throws SQLException {
        PreparedStatement s = db.prepare(
                "UPDATE device_presence SET last_heartbeat_at = ? WHERE device_id = ? AND node_id = ?");
        for (Map.Entry<String, Long> e : lastHeartbeats.entrySet()) {
            s.setLong(1, e.getValue());
            s.setString(2, e.getKey());
            s.setString(3, nodeId);
            s.addBatch();
        }
        s.executeBatch();
    }

    /**
     * @param key an address's key
     * @return until when it is locked out (ms since the epoch), or 0
     * @throws SQLException on failure
     */
    public long lockedUntil(String key) throws SQLException {
        PreparedStatement s = db.prepare("SELECT locked_until FROM address_lockouts WHERE address_key = ?");
        s.setString(1, key);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Records a failed code attempt of an address; when the attempts of every node within the window reach
     * the limit (and the address is not locked out already), locks it out and forgets its attempts.
     *
     * @param key the address's key
     * @param now when
     * @param windowMillis the window
     * @param maxFailures the limit
     * @param lockoutMillis how long the lockout lasts
     * @return true if this attempt started a lockout
     * @throws SQLException on failure
     */
    public boolean failed(String key, long now, long windowMillis, int maxFailures, long lockoutMillis)
            throws SQLException {
        PreparedStatement old = db.prepare("DELETE FROM failed_code_attempts WHERE address_key = ? AND at <= ?");
        old.setString(1, key);
        old.setLong(2, now - windowMillis);
        old.executeUpdate();
        PreparedStatement insert = db.prepare("INSERT INTO failed_code_attempts (address_key, at) VALUES (?, ?)");
        insert.setString(1, key);
        insert.setLong(2, now);
        insert.executeUpdate();
        PreparedStatement count = db.prepare("SELECT COUNT(*) FROM failed_code_attempts WHERE address_key = ?");
        count.setString(1, key);
        long failures;
        try (ResultSet rs = count.executeQuery()) {
            rs.next();
            failures = rs.getLong(1);
        }
        if (failures < maxFailures || lockedUntil(key) > now) {
            return false;
        }
        PreparedStatement expired = db.prepare("DELETE FROM address_lockouts WHERE address_key = ? OR locked_until <= ?");
        expired.setString(1, key);
        expired.setLong(2, now);
        expired.executeUpdate();
        PreparedStatement lock = db.prepare("INSERT INTO address_lockouts (address_key, locked_until) VALUES (?, ?)");
        lock.setString(1, key);
        lock.setLong(2, now + lockoutMillis);
        lock.executeUpdate();
        PreparedStatement forget = db.prepare("DELETE FROM failed_code_attempts WHERE address_key = ?");
        forget.setString(1, key);
        forget.executeUpdate();
        return true;
    }

    /**
     * @param deviceId a device
     * @return its presence, with the address of the node holding its tunnel; empty if it never connected
     * @throws SQLException on failure
     */
    public Optional<PresenceRow> presence(String deviceId) throws SQLException {
        PreparedStatement s = db.prepare("SELECT p.device_id, p.node_id, n.url, p.connected_at, p.last_heartbeat_at,"
                + " p.disconnected_at, p.remote_address FROM device_presence p"
                + " LEFT JOIN cloud_nodes n ON n.node_id = p.node_id WHERE p.device_id = ?");
        s.setString(1, deviceId);
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new PresenceRow(rs.getString(1), rs.getString(2), rs.getString(3), getLong(rs, 4),
                    getLong(rs, 5), getLong(rs, 6), rs.getString(7)));
        }
    }
}
