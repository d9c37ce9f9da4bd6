package io.edgeflow.cloud.updates;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.credentials.Crockford;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeploymentRecord;
import io.edgeflow.cloud.store.DeploymentTarget;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * Deployments and their rollouts in waves (docs/updates.md), as the admin API and the devices' reports reach them:
 * creating a deployment ({@link DeploymentSpec} checks it), reading ({@link DeploymentViews}), cancelling, and a
 * device's report ({@link DeviceStates}). The waves themselves are the {@link RolloutEngine}'s, the deliveries to the
 * devices the {@link Deliveries}'. Every step goes into the audit trail.
 * <p>
 * Threading: every method here runs on the caller's request thread, each write in one database transaction; what
 * follows from it (the first wave, the next one) is handed to the engine's thread.
 */
public final class Rollouts implements AutoCloseable {
    /** Deployment states. */
    public static final String RUNNING = "running";
    /** The rollout stopped: a wave had too many failures. */
    public static final String HALTED = "halted";
    /** Every wave ended within its failure threshold. */
    public static final String COMPLETED = "completed";
    /** An operator cancelled it. */
    public static final String CANCELLED = "cancelled";

    private final Database db;
    private final Clock clock;
    private final SecureRandom random;
    private final ObjectMapper json = new ObjectMapper();
    private final DeploymentViews views;
    private final DeviceStates states;
    private final RolloutEngine engine;

    /**
     * @param db the database
     * @param tunnels the open tunnels (deliveries; told when a tunnel opens)
     * @param clock the clock of every time stored
     * @param random the source of deployment ids
     * @param redeliveryDelay how long to wait before delivering again to a device that was busy with another
     *        deployment (409), did not answer, or failed on its side
     */
    public Rollouts(Database db, TunnelHub tunnels, Clock clock, SecureRandom random, Duration redeliveryDelay) {
        this.db = db;
        this.clock = clock;
        this.random = random;
        this.views = new DeploymentViews(db, json);
        this.states = new DeviceStates(db, clock, json);
        this.engine = new RolloutEngine(db, tunnels, clock, redeliveryDelay, json, states);
    }

    /**
     * Creates a deployment and starts its first wave.
     *
     * @param body the request: operations, devices, waves, max_failures, health_timeout_seconds
     * @param actor the admin's address
     * @return the deployment as the API shows it
     * @throws CloudError 400 {@code invalid_request} naming the field
     */
    public Map<String, Object> create(JsonNode body, String actor) throws CloudError {
        DeploymentSpec.Request request = DeploymentSpec.fromRequest(body);
        DeploymentSpec spec = request.spec();
        String specJson = spec.write(json);
        String id = "dep_" + Crockford.randomSymbols(random, 20).toLowerCase(Locale.ROOT);
        long now = clock.millis();
        Outcome outcome = db.transaction(tx -> {
            for (String sha : request.artifacts()) {
                var a = tx.findArtifact(sha);
                if (a.isEmpty()) {
                    return Outcome.refused(CloudError.invalidRequest("operations", "no artifact " + sha
                            + " (upload it first: artifacts upload)"));
                }
                if (a.get().signatures().isEmpty()) {
                    return Outcome.refused(CloudError.invalidRequest("operations", "artifact " + sha
                            + " has no signature; devices accept only signed artifacts (artifacts upload --sign-key,"
                            + " artifacts sign, or --release-key)"));
                }
            }
            List<String> targets = new ArrayList<>();
            if (request.allDevices()) {
                List<DeviceRecord> devices = new ArrayList<>(tx.listDevices(DeploymentSpec.MAX_TARGETS));
                Collections.reverse(devices); // oldest first
                for (DeviceRecord d : devices) {
                    if (DeviceRecord.ACTIVE.equals(d.status())) {
                        targets.add(d.id());
                    }
                }
                if (targets.isEmpty()) {
                    return Outcome.refused(CloudError.invalidRequest("devices", "there is no active device"));
                }
            } else {
                for (String deviceId : request.devices()) {
                    var d = tx.findDevice(deviceId);
                    if (d.isEmpty()) {
                        return Outcome.refused(CloudError.invalidRequest("devices", "no device " + deviceId));
                    }
                    if (!DeviceRecord.ACTIVE.equals(d.get().status())) {
                        return Outcome.refused(CloudError.invalidRequest("devices", "device " + deviceId + " is "
                                + d.get().status() + ", not active"));
                    }
                    targets.add(deviceId);
                }
            }
            int[] waveOf;
            try {
                waveOf = spec.assignWaves(targets.size());
            } catch (CloudError e) {
                return Outcome.refused(e);
            }
            List<DeploymentTarget> rows = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                rows.add(new DeploymentTarget(id, targets.get(i), waveOf[i], DeviceStates.PENDING, now, null, null));
            }
            tx.insertDeployment(new DeploymentRecord(id, RUNNING, specJson, 0, now, now),
                    new ArrayList<>(new LinkedHashSet<>(request.artifacts())), rows);
            UpdateAudit.record(tx, now, "deployment_created", "ok", actor, null, id + ": "
                    + spec.operations().size() + " operation(s), " + targets.size() + " device(s), waves "
                    + spec.waves() + ", max_failures " + spec.maxFailures());
            return Outcome.ok(views.view(tx, id, true));
        });
        Map<String, Object> created = outcome.get();
        engine.advanceLater(id);
        return created;
    }

    /** The outcome of a transaction that may refuse. */
    private record Outcome(Map<String, Object> value, CloudError error) {
        static Outcome ok(Map<String, Object> value) {
            return new Outcome(value, null);
        }

        static Outcome refused(CloudError error) {
            return new Outcome(null, error);
        }

        Map<String, Object> get() throws CloudError {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }

    /**
     * @param id a deployment
     * @return it with its devices
     * @throws CloudError 404
     */
    public Map<String, Object> get(String id) throws CloudError {
        return views.get(id);
    }

    /**
     * @param limit most deployments
     * @return deployments, newest first, with a count of their devices by state (not the devices)
     */
    public List<Map<String, Object>> list(int limit) {
        return views.list(limit);
    }

    /**
     * Cancels a rollout: its devices still {@code pending} become {@code cancelled}; a device already working on it
     * finishes, and its reports are still recorded.
     *
     * @param id the deployment
     * @param actor the admin's address
     * @return the deployment afterwards
     * @throws CloudError 404, 409 {@code deployment_finished} for a completed one
     */
    public Map<String, Object> cancel(String id, String actor) throws CloudError {
        long now = clock.millis();
        Outcome o = db.transaction(tx -> {
            var d = tx.findDeployment(id);
            if (d.isEmpty()) {
                return Outcome.refused(DeploymentViews.notFound(id));
            }
            if (COMPLETED.equals(d.get().state())) {
                return Outcome.refused(new CloudError(409, "deployment_finished", "Deployment " + id
                        + " has completed; there is nothing left to cancel."));
            }
            if (!CANCELLED.equals(d.get().state())) {
                tx.updateDeployment(id, CANCELLED, d.get().currentWave(), now);
                int n = 0;
                for (DeploymentTarget t : tx.targetsOf(id)) {
                    if (DeviceStates.PENDING.equals(t.state())) {
                        tx.updateTarget(new DeploymentTarget(id, t.deviceId(), t.wave(), CANCELLED, now,
                                "cancelled by an operator", null));
                        n++;
                    }
                }
                UpdateAudit.record(tx, now, "deployment_cancelled", "ok", actor, null, id + ": " + n
                        + " pending device(s) cancelled");
            }
            return Outcome.ok(views.view(tx, id, true));
        });
        return o.get();
    }

    /**
     * Records a device's report of its state (the device is already authenticated).
     *
     * @param deviceId the device
     * @param deploymentId the deployment
     * @param body {@code {"state", "reason", "failed"}}
     * @param source the device's address
     * @throws CloudError 404 if the deployment does not target the device, 400 for a malformed report
     */
    public void report(String deviceId, String deploymentId, JsonNode body, String source) throws CloudError {
        if (states.report(deviceId, deploymentId, body, source)) {
            // only an end state can end a wave
            engine.advanceLater(deploymentId);
        }
    }

    /** Stops the engine; a rollout goes on after the next start. */
    @Override
    public void close() {
        engine.close();
    }
}
