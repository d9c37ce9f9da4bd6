package io.edgeflow.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The statements on {@code artifacts} and {@code artifact_signatures} (remote updates); see {@link StoreTransaction}. */
final class ArtifactRows {
    private final Session session;

    ArtifactRows(Session session) {
        this.session = session;
    }

    void insertArtifact(ArtifactRecord a) throws SQLException {
        PreparedStatement s = session.prepare("INSERT INTO artifacts (sha256, symbolic_name, version, size, uploaded_at)"
                + " VALUES (?, ?, ?, ?, ?)");
        s.setString(1, a.sha256());
        s.setString(2, a.symbolicName());
        s.setString(3, a.version());
        s.setLong(4, a.size());
        s.setLong(5, a.uploadedAt());
        s.executeUpdate();
    }

    Optional<ArtifactRecord> findArtifact(String sha256) throws SQLException {
        PreparedStatement s = session.prepare("SELECT sha256, symbolic_name, version, size, uploaded_at FROM artifacts"
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

    List<ArtifactRecord> listArtifacts(int limit) throws SQLException {
        PreparedStatement s = session.prepare("SELECT sha256 FROM artifacts ORDER BY uploaded_at DESC, sha256 LIMIT ?");
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
        PreparedStatement s = session.prepare("SELECT key_id, public_key, signature, added_at FROM artifact_signatures"
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

    void putSignature(String sha256, SignatureRecord sig) throws SQLException {
        PreparedStatement d = session.prepare("DELETE FROM artifact_signatures WHERE sha256 = ? AND key_id = ?");
        d.setString(1, sha256);
        d.setString(2, sig.keyId());
        d.executeUpdate();
        PreparedStatement s = session.prepare("INSERT INTO artifact_signatures (sha256, key_id, public_key, signature,"
                + " added_at) VALUES (?, ?, ?, ?, ?)");
        s.setString(1, sha256);
        s.setString(2, sig.keyId());
        s.setString(3, sig.publicKey());
        s.setString(4, sig.signature());
        s.setLong(5, sig.addedAt());
        s.executeUpdate();
    }

    void deleteArtifact(String sha256) throws SQLException {
        for (String sql : new String[] {"DELETE FROM artifact_signatures WHERE sha256 = ?",
            "DELETE FROM artifacts WHERE sha256 = ?"}) {
            PreparedStatement s = session.prepare(sql);
            s.setString(1, sha256);
            s.executeUpdate();
        }
    }

    List<String> unfinishedDeploymentsUsing(String sha256) throws SQLException {
        PreparedStatement s = session.prepare("SELECT d.id FROM deployments d JOIN deployment_artifacts a"
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

    boolean artifactTargets(String deviceId, String sha256) throws SQLException {
        PreparedStatement s = session.prepare("SELECT COUNT(*) FROM deployment_artifacts a JOIN deployment_devices t"
                + " ON t.deployment_id = a.deployment_id WHERE a.sha256 = ? AND t.device_id = ?");
        s.setString(1, sha256);
        s.setString(2, deviceId);
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() && rs.getLong(1) > 0;
        }
    }
}
