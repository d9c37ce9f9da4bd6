package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The operations of one transaction. Created by {@link Database#transaction}; valid only inside it.
 * Updates that decide races (a code's claim) are compare-and-set on a version column, so the same
 * statements stay correct on an engine that runs transactions side by side.
 * <p>
 * The SQL lives in one class per family of tables ({@link SettingRows}, {@link CodeRows},
 * {@link DeviceRows}, {@link AuditRows}, {@link ArtifactRows}, {@link DeploymentRows}); this class is
 * the one surface the services see.
 */
public final class StoreTransaction {
    private final Session session;
    private final SettingRows settings;
    private final CodeRows codes;
    private final DeviceRows devices;
    private final AuditRows audit;
    private final ArtifactRows artifacts;
    private final DeploymentRows deployments;

    StoreTransaction(Session db) {
        this.session = db;
        this.settings = new SettingRows(db);
        this.codes = new CodeRows(db);
        this.devices = new DeviceRows(db);
        this.audit = new AuditRows(db);
        this.artifacts = new ArtifactRows(db);
        this.deployments = new DeploymentRows(db);
    }

    Connection connection() {
        return session.connection();
    }

    Dialect dialect() {
        return session.dialect();
    }

    /** @return the statements on the nodes of a cloud and the presence of devices (several nodes only) */
    public NodeRows nodes() {
        return new NodeRows(session);
    }

    /** @return the statements on the dashboard's sessions that every node sees (several nodes only) */
    public SessionRows sessions() {
        return new SessionRows(session);
    }

    /**
     * Tells every cloud on this store that a device was revoked, when (and only if) this transaction commits:
     * each closes the device's tunnel if it holds it ({@link Database#onRevocation}). Nothing to do on SQLite,
     * where this process is the whole cloud.
     *
     * @param deviceId the device
     * @throws SQLException on failure
     */
    public void announceRevocation(String deviceId) throws SQLException {
        String sql = session.dialect().revocationNotice();
        if (sql != null) {
            PreparedStatement s = session.prepare(sql);
            s.setString(1, deviceId);
            s.execute();
        }
    }

    /**
     * @param name a setting's name
     * @return its value, or null
     * @throws SQLException on failure
     */
    public String meta(String name) throws SQLException {
        return settings.meta(name);
    }

    /**
     * @param name a setting's name
     * @param value its new value
     * @throws SQLException on failure
     */
    public void putMeta(String name, String value) throws SQLException {
        settings.putMeta(name, value);
    }

    /**
     * @param id identifier
     * @param tokenHash SHA-256 of the token
     * @param at creation time
     * @throws SQLException on failure
     */
    public void insertAdminToken(String id, String tokenHash, long at) throws SQLException {
        settings.insertAdminToken(id, tokenHash, at);
    }

    /**
     * @return the hashes of the admin tokens that are not revoked
     * @throws SQLException on failure
     */
    public List<String> adminTokenHashes() throws SQLException {
        return settings.adminTokenHashes();
    }

    /**
     * Revokes every admin token.
     *
     * @param at when
     * @throws SQLException on failure
     */
    public void revokeAdminTokens(long at) throws SQLException {
        settings.revokeAdminTokens(at);
    }

    /**
     * @param c the new code
     * @throws SQLException on failure (a duplicate hash included)
     */
    public void insertCode(CodeRecord c) throws SQLException {
        codes.insertCode(c);
    }

    /**
     * Writes a code's mutable state if nobody changed it since it was read.
     *
     * @param c the new state; its version is the one that was read
     * @return true if written, false if the stored version moved on (re-read and decide again)
     * @throws SQLException on failure
     */
    public boolean updateCode(CodeRecord c) throws SQLException {
        return codes.updateCode(c);
    }

    /**
     * @param codeHash the keyed hash of a code
     * @return the code with that hash
     * @throws SQLException on failure
     */
    public Optional<CodeRecord> findCodeByHash(String codeHash) throws SQLException {
        return codes.findCodeByHash(codeHash);
    }

    /**
     * @param id a code's identifier
     * @return the code
     * @throws SQLException on failure
     */
    public Optional<CodeRecord> findCode(String id) throws SQLException {
        return codes.findCode(id);
    }

    /**
     * @param limit most codes to return
     * @return codes, newest first
     * @throws SQLException on failure
     */
    public List<CodeRecord> listCodes(int limit) throws SQLException {
        return codes.listCodes(limit);
    }

    /**
     * @param d the new device
     * @throws SQLException on failure
     */
    public void insertDevice(DeviceRecord d) throws SQLException {
        devices.insertDevice(d);
    }

    /**
     * @param d the device's new state
     * @throws SQLException on failure
     */
    public void updateDevice(DeviceRecord d) throws SQLException {
        devices.updateDevice(d);
    }

    /**
     * @param id a Device ID
     * @return the device
     * @throws SQLException on failure
     */
    public Optional<DeviceRecord> findDevice(String id) throws SQLException {
        return devices.findDevice(id);
    }

    /**
     * @param limit most devices to return
     * @return devices, newest first
     * @throws SQLException on failure
     */
    public List<DeviceRecord> listDevices(int limit) throws SQLException {
        return devices.listDevices(limit);
    }

    /**
     * @param k the new key
     * @throws SQLException on failure
     */
    public void insertKey(KeyRecord k) throws SQLException {
        devices.insertKey(k);
    }

    /**
     * @param k the key's new state
     * @throws SQLException on failure
     */
    public void updateKey(KeyRecord k) throws SQLException {
        devices.updateKey(k);
    }

    /**
     * @param deviceId a Device ID
     * @return every key the device was ever given, oldest first
     * @throws SQLException on failure
     */
    public List<KeyRecord> keysOf(String deviceId) throws SQLException {
        return devices.keysOf(deviceId);
    }

    /**
     * Appends to the audit trail; the identifier given is ignored and a new one assigned.
     *
     * @param e the event
     * @throws SQLException on failure
     */
    public void audit(AuditEvent e) throws SQLException {
        audit.audit(e);
    }

    /**
     * @param beforeId only events with a smaller identifier, or 0 for the newest
     * @param limit most events to return
     * @return events, newest first
     * @throws SQLException on failure
     */
    public List<AuditEvent> listAudit(long beforeId, int limit) throws SQLException {
        return audit.listAudit(beforeId, limit);
    }

    /**
     * @param a a new artifact (its signatures are not written here)
     * @throws SQLException on failure
     */
    public void insertArtifact(ArtifactRecord a) throws SQLException {
        artifacts.insertArtifact(a);
    }

    /**
     * @param sha256 an artifact
     * @return it with its signatures, or empty
     * @throws SQLException on failure
     */
    public Optional<ArtifactRecord> findArtifact(String sha256) throws SQLException {
        return artifacts.findArtifact(sha256);
    }

    /**
     * @param limit most artifacts
     * @return artifacts, newest first
     * @throws SQLException on failure
     */
    public List<ArtifactRecord> listArtifacts(int limit) throws SQLException {
        return artifacts.listArtifacts(limit);
    }

    /**
     * Adds a signature, replacing one by the same key.
     *
     * @param sha256 the artifact
     * @param sig the signature
     * @throws SQLException on failure
     */
    public void putSignature(String sha256, SignatureRecord sig) throws SQLException {
        artifacts.putSignature(sha256, sig);
    }

    /**
     * @param sha256 an artifact to forget, with its signatures
     * @throws SQLException on failure
     */
    public void deleteArtifact(String sha256) throws SQLException {
        artifacts.deleteArtifact(sha256);
    }

    /**
     * @param sha256 an artifact
     * @return the deployments not yet finished (running or halted) that use it
     * @throws SQLException on failure
     */
    public List<String> unfinishedDeploymentsUsing(String sha256) throws SQLException {
        return artifacts.unfinishedDeploymentsUsing(sha256);
    }

    /**
     * @param deviceId a device
     * @param sha256 an artifact
     * @return true if a deployment that targets the device uses the artifact
     * @throws SQLException on failure
     */
    public boolean artifactTargets(String deviceId, String sha256) throws SQLException {
        return artifacts.artifactTargets(deviceId, sha256);
    }

    /**
     * @param d a new deployment
     * @param artifacts the artifacts its operations use
     * @param targets its devices
     * @throws SQLException on failure
     */
    public void insertDeployment(DeploymentRecord d, List<String> artifacts, List<DeploymentTarget> targets)
            throws SQLException {
        deployments.insertDeployment(d, artifacts, targets);
    }

    /**
     * @param id a deployment
     * @return it, or empty
     * @throws SQLException on failure
     */
    public Optional<DeploymentRecord> findDeployment(String id) throws SQLException {
        return deployments.findDeployment(id);
    }

    /**
     * @param limit most deployments
     * @return deployments, newest first
     * @throws SQLException on failure
     */
    public List<DeploymentRecord> listDeployments(int limit) throws SQLException {
        return deployments.listDeployments(limit);
    }

    /**
     * @param id a deployment
     * @param state its new state
     * @param currentWave its current wave
     * @param at when
     * @throws SQLException on failure
     */
    public void updateDeployment(String id, String state, long currentWave, long at) throws SQLException {
        deployments.updateDeployment(id, state, currentWave, at);
    }

    /**
     * @param deploymentId a deployment
     * @return its devices, by wave then device id
     * @throws SQLException on failure
     */
    public List<DeploymentTarget> targetsOf(String deploymentId) throws SQLException {
        return deployments.targetsOf(deploymentId);
    }

    /**
     * @param deviceId a device
     * @return its rows in deployments that are running, oldest deployment first
     * @throws SQLException on failure
     */
    public List<DeploymentTarget> runningTargetsOfDevice(String deviceId) throws SQLException {
        return deployments.runningTargetsOfDevice(deviceId);
    }

    /**
     * @param deploymentId a deployment
     * @param deviceId a device
     * @return its row, or empty
     * @throws SQLException on failure
     */
    public Optional<DeploymentTarget> findTarget(String deploymentId, String deviceId) throws SQLException {
        return deployments.findTarget(deploymentId, deviceId);
    }

    /**
     * @param t a device's row with its new state
     * @throws SQLException on failure
     */
    public void updateTarget(DeploymentTarget t) throws SQLException {
        deployments.updateTarget(t);
    }
}
