package io.edgeflow.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The statements on {@code deployments}, {@code deployment_artifacts} and {@code deployment_devices} (remote
 * updates); see {@link StoreTransaction}.
 */
final class DeploymentRows {
    private static final String DEPLOYMENT_COLUMNS = "id, state, spec, current_wave, created_at, updated_at";
    private static final String TARGET_COLUMNS = "deployment_id, device_id, wave, state, updated_at, reason, failed";

    private final Session session;

    DeploymentRows(Session session) {
        this.session = session;
    }

    void insertDeployment(DeploymentRecord d, List<String> artifacts, List<DeploymentTarget> targets)
            throws SQLException {
        PreparedStatement s = session.prepare("INSERT INTO deployments (" + DEPLOYMENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)");
        s.setString(1, d.id());
        s.setString(2, d.state());
        s.setString(3, d.spec());
        s.setLong(4, d.currentWave());
        s.setLong(5, d.createdAt());
        s.setLong(6, d.updatedAt());
        s.executeUpdate();
        for (String sha : artifacts) {
            PreparedStatement a = session.prepare("INSERT INTO deployment_artifacts (deployment_id, sha256) VALUES (?, ?)");
            a.setString(1, d.id());
            a.setString(2, sha);
            a.executeUpdate();
        }
        for (DeploymentTarget t : targets) {
            PreparedStatement a = session.prepare("INSERT INTO deployment_devices (" + TARGET_COLUMNS
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

    Optional<DeploymentRecord> findDeployment(String id) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = ?");
        s.setString(1, id);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(deployment(rs)) : Optional.empty();
        }
    }

    List<DeploymentRecord> listDeployments(int limit) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + DEPLOYMENT_COLUMNS
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

    void updateDeployment(String id, String state, long currentWave, long at) throws SQLException {
        PreparedStatement s = session.prepare("UPDATE deployments SET state = ?, current_wave = ?, updated_at = ? WHERE id = ?");
        s.setString(1, state);
        s.setLong(2, currentWave);
        s.setLong(3, at);
        s.setString(4, id);
        s.executeUpdate();
    }

    List<DeploymentTarget> targetsOf(String deploymentId) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + TARGET_COLUMNS
                + " FROM deployment_devices WHERE deployment_id = ? ORDER BY wave, device_id");
        s.setString(1, deploymentId);
        return targets(s);
    }

    List<DeploymentTarget> runningTargetsOfDevice(String deviceId) throws SQLException {
        PreparedStatement s = session.prepare("SELECT t.deployment_id, t.device_id, t.wave, t.state, t.updated_at,"
                + " t.reason, t.failed FROM deployment_devices t JOIN deployments d ON d.id = t.deployment_id"
                + " WHERE t.device_id = ? AND d.state = 'running' AND t.wave <= d.current_wave"
                + " ORDER BY d.created_at, d.id");
        s.setString(1, deviceId);
        return targets(s);
    }

    Optional<DeploymentTarget> findTarget(String deploymentId, String deviceId) throws SQLException {
        PreparedStatement s = session.prepare("SELECT " + TARGET_COLUMNS
                + " FROM deployment_devices WHERE deployment_id = ? AND device_id = ?");
        s.setString(1, deploymentId);
        s.setString(2, deviceId);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(target(rs)) : Optional.empty();
        }
    }

    void updateTarget(DeploymentTarget t) throws SQLException {
        PreparedStatement s = session.prepare("UPDATE deployment_devices SET state = ?, updated_at = ?, reason = ?,"
                + " failed = ? WHERE deployment_id = ? AND device_id = ?");
        s.setString(1, t.state());
        s.setLong(2, t.updatedAt());
        s.setString(3, t.reason());
        s.setString(4, t.failed());
        s.setString(5, t.deploymentId());
        s.setString(6, t.deviceId());
        s.executeUpdate();
    }

    private static List<DeploymentTarget> targets(PreparedStatement s) throws SQLException {
        List<DeploymentTarget> list = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                list.add(target(rs));
            }
        }
        return list;
    }

    private static DeploymentRecord deployment(ResultSet rs) throws SQLException {
        return new DeploymentRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6));
    }

    private static DeploymentTarget target(ResultSet rs) throws SQLException {
        return new DeploymentTarget(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getLong(5),
                rs.getString(6), rs.getString(7));
    }
}
