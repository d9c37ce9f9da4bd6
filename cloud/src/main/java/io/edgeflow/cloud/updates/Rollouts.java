package io.edgeflow.cloud.updates;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.credentials.Crockford;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.store.ArtifactRecord;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeploymentRecord;
import io.edgeflow.cloud.store.DeploymentTarget;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.SignatureRecord;
import io.edgeflow.cloud.store.StoreTransaction;
import io.edgeflow.cloud.tunnel.LocalRequest;
import io.edgeflow.cloud.tunnel.LocalResponse;
import io.edgeflow.cloud.tunnel.TunnelException;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * Deployments and their rollouts in waves (docs/updates.md). A deployment's operations reach a device as the
 * local API request {@code POST /api/v1/deployments} through its tunnel, when the device's wave starts and the
 * device is online, and again whenever its tunnel opens while its state is not an end state; the device reports
 * its states over HTTPS ({@link #report}). A wave ends when each of its devices has an end state; the next starts
 * if its failures are within {@code max_failures}, else the rollout halts and its remaining devices stay
 * {@code pending}. Every step goes into the audit trail.
 * <p>
 * Threading: every decision about a rollout runs on one engine thread, each in one database transaction; the
 * request threads only write what a device reported (also in one transaction) and hand the rest to the engine.
 */
public final class Rollouts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);

    /** Deployment states. */
    public static final String RUNNING = "running";
    /** The rollout stopped: a wave had too many failures. */
    public static final String HALTED = "halted";
    /** Every wave ended within its failure threshold. */
    public static final String COMPLETED = "completed";
    /** An operator cancelled it. */
    public static final String CANCELLED = "cancelled";

    /** A device's states, in their order. */
    public static final List<String> DEVICE_STATES = List.of("pending", "downloading", "verifying", "applying",
            "checking", "succeeded", "rolled_back", "failed", "cancelled");
    /** A device's end states. */
    public static final Set<String> END_STATES = Set.of("succeeded", "rolled_back", "failed", "cancelled");
    /** What a device may report. */
    static final Set<String> REPORTABLE = Set.of("downloading", "verifying", "applying", "checking", "succeeded",
            "rolled_back", "failed");
    private static final String PENDING = "pending";
    /** The device's local API path a deployment is delivered to. */
    public static final String DEVICE_PATH = "/api/v1/deployments";
    private static final int MAX_OPERATIONS = 50;
    private static final int MAX_TARGETS = 100_000;
    private static final int MAX_WAVES = 20;

    private final Database db;
    private final TunnelHub tunnels;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration redeliveryDelay;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService engine;
    /** Redeliveries waiting, as deployment/device: one each at most. */
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    /**
     * Deliveries waiting for the device's answer, as deployment/device: a wave that starts as the device's tunnel
     * opens would otherwise send it twice.
     */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

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
        this.tunnels = tunnels;
        this.clock = clock;
        this.random = random;
        this.redeliveryDelay = redeliveryDelay;
        this.engine = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cloud-rollouts");
            t.setDaemon(true);
            return t;
        });
        tunnels.onOpen(this::tunnelOpened);
        // rollouts that were running when the cloud stopped go on where they were
        engine.execute(() -> {
            for (DeploymentRecord d : db.transaction(tx -> tx.listDeployments(1000))) {
                if (RUNNING.equals(d.state())) {
                    advance(d.id());
                }
            }
        });
    }

    // ------------------------------------------------------------------ the admin's side

    /** A deployment's operations, waves and thresholds, as stored. */
    record Spec(JsonNode operations, JsonNode waves, int maxFailures, int healthTimeoutSeconds) {
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
        if (body == null) {
            throw new CloudError(400, "invalid_request", "The request needs a JSON object as its body.");
        }
        int maxFailures = wholeNumber(body.get("max_failures"), "max_failures", 0, 0, 1_000_000);
        int health = wholeNumber(body.get("health_timeout_seconds"), "health_timeout_seconds", 60, 1, 3600);
        JsonNode waves = body.get("waves");
        if (waves == null || waves.isNull()) {
            waves = json.createArrayNode().add("100%");
        }
        checkWaves(waves);
        JsonNode opsIn = body.get("operations");
        if (opsIn == null || !opsIn.isArray() || opsIn.isEmpty() || opsIn.size() > MAX_OPERATIONS) {
            throw CloudError.invalidRequest("operations", "must be a list of 1 to " + MAX_OPERATIONS + " operations");
        }
        ArrayNode operations = json.createArrayNode();
        List<String> artifacts = new ArrayList<>();
        for (int i = 0; i < opsIn.size(); i++) {
            operations.add(operation(opsIn.get(i), "operations[" + i + "]", artifacts));
        }
        JsonNode devicesIn = body.get("devices");
        boolean all = devicesIn != null && devicesIn.isTextual() && devicesIn.asText().equals("all");
        List<String> named = new ArrayList<>();
        if (!all) {
            if (devicesIn == null || !devicesIn.isArray() || devicesIn.isEmpty() || devicesIn.size() > MAX_TARGETS) {
                throw CloudError.invalidRequest("devices", "must be \"all\" or a list of device ids");
            }
            Set<String> unique = new LinkedHashSet<>();
            for (JsonNode d : devicesIn) {
                if (!d.isTextual() || !d.asText().matches("[A-Za-z0-9_]{1,40}")) {
                    throw CloudError.invalidRequest("devices", "each must be a device id such as dev_...");
                }
                unique.add(d.asText());
            }
            named.addAll(unique);
        }
        Spec spec = new Spec(operations, waves, maxFailures, health);
        String specJson;
        try {
            specJson = json.writeValueAsString(specNode(spec));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String id = "dep_" + Crockford.randomSymbols(random, 20).toLowerCase(Locale.ROOT);
        long now = clock.millis();
        JsonNode finalWaves = waves;
        Outcome outcome = db.transaction(tx -> {
            for (String sha : artifacts) {
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
            if (all) {
                List<DeviceRecord> devices = new ArrayList<>(tx.listDevices(MAX_TARGETS));
                java.util.Collections.reverse(devices); // oldest first
                for (DeviceRecord d : devices) {
                    if (DeviceRecord.ACTIVE.equals(d.status())) {
                        targets.add(d.id());
                    }
                }
                if (targets.isEmpty()) {
                    return Outcome.refused(CloudError.invalidRequest("devices", "there is no active device"));
                }
            } else {
                for (String deviceId : named) {
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
                waveOf = assignWaves(finalWaves, targets.size());
            } catch (CloudError e) {
                return Outcome.refused(e);
            }
            List<DeploymentTarget> rows = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                rows.add(new DeploymentTarget(id, targets.get(i), waveOf[i], PENDING, now, null, null));
            }
            tx.insertDeployment(new DeploymentRecord(id, RUNNING, specJson, 0, now, now),
                    new ArrayList<>(new LinkedHashSet<>(artifacts)), rows);
            audit(tx, now, "deployment_created", "ok", actor, null, id + ": " + operations.size() + " operation(s), "
                    + targets.size() + " device(s), waves " + finalWaves + ", max_failures " + maxFailures);
            return Outcome.ok(view(tx, id, true));
        });
        Map<String, Object> created = outcome.get();
        engine.execute(() -> advance(id));
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

    private ObjectNode operation(JsonNode op, String field, List<String> artifacts) throws CloudError {
        if (op == null || !op.isObject()) {
            throw CloudError.invalidRequest(field, "must be an object with an 'action'");
        }
        String action = op.path("action").asText("");
        ObjectNode out = json.createObjectNode();
        switch (action) {
            case "install", "update" -> {
                JsonNode a = op.get("artifact");
                if (a == null || !a.isTextual() || !a.asText().matches("[0-9a-f]{64}")) {
                    throw CloudError.invalidRequest(field + ".artifact",
                            "must be an artifact's SHA-256 (64 lower-case hex digits)");
                }
                out.put("action", action);
                out.put("artifact", a.asText());
                artifacts.add(a.asText());
            }
            case "uninstall" -> {
                JsonNode n = op.get("symbolic_name");
                if (n == null || !n.isTextual() || !BundleManifest.validSymbolicName(n.asText())) {
                    throw CloudError.invalidRequest(field + ".symbolic_name", "must be a bundle's symbolic name");
                }
                out.put("action", action);
                out.put("symbolic_name", n.asText());
            }
            default -> throw CloudError.invalidRequest(field + ".action", "must be install, update or uninstall");
        }
        return out;
    }

    private static int wholeNumber(JsonNode n, String field, int dflt, int min, int max) throws CloudError {
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw CloudError.invalidRequest(field, "must be a whole number from " + min + " to " + max);
        }
        return n.asInt();
    }

    private static void checkWaves(JsonNode waves) throws CloudError {
        if (!waves.isArray() || waves.isEmpty() || waves.size() > MAX_WAVES) {
            throw CloudError.invalidRequest("waves", "must be a list of 1 to " + MAX_WAVES
                    + " sizes: a number of devices (1) or a percentage (\"10%\"), cumulative");
        }
        for (JsonNode w : waves) {
            boolean count = w.isIntegralNumber() && w.canConvertToInt() && w.asInt() >= 1;
            boolean percent = w.isTextual() && w.asText().matches("[0-9]{1,3}%")
                    && Integer.parseInt(w.asText().substring(0, w.asText().length() - 1)) >= 1
                    && Integer.parseInt(w.asText().substring(0, w.asText().length() - 1)) <= 100;
            if (!count && !percent) {
                throw CloudError.invalidRequest("waves", "each wave is a number of devices (1 or more) or a"
                        + " percentage from \"1%\" to \"100%\", not " + w);
            }
        }
    }

    /**
     * @param waves cumulative sizes
     * @param n the number of targets
     * @return each target's wave, from 1 (a wave that adds no device is skipped, its number kept)
     * @throws CloudError if the sizes shrink or do not reach every device
     */
    static int[] assignWaves(JsonNode waves, int n) throws CloudError {
        int[] cumulative = new int[waves.size()];
        for (int i = 0; i < waves.size(); i++) {
            JsonNode w = waves.get(i);
            int c = w.isTextual()
                    ? (int) Math.ceil(n * Integer.parseInt(w.asText().substring(0, w.asText().length() - 1)) / 100.0)
                    : Math.min(w.asInt(), n);
            if (i > 0 && c < cumulative[i - 1]) {
                throw CloudError.invalidRequest("waves", "sizes are cumulative: each wave must reach at least as many"
                        + " devices as the one before");
            }
            cumulative[i] = c;
        }
        if (cumulative[cumulative.length - 1] < n) {
            throw CloudError.invalidRequest("waves", "the last wave must reach every device (end with \"100%\"); it"
                    + " reaches " + cumulative[cumulative.length - 1] + " of " + n);
        }
        int[] waveOf = new int[n];
        int wave = 0;
        for (int k = 0; k < n; k++) {
            while (k >= cumulative[wave]) {
                wave++;
            }
            waveOf[k] = wave + 1;
        }
        return waveOf;
    }

    /**
     * @param id a deployment
     * @return it with its devices
     * @throws CloudError 404
     */
    public Map<String, Object> get(String id) throws CloudError {
        Map<String, Object> v = db.transaction(tx -> tx.findDeployment(id).isPresent() ? view(tx, id, true) : null);
        if (v == null) {
            throw new CloudError(404, "not_found", "No deployment " + printable(id) + ".");
        }
        return v;
    }

    /**
     * @param limit most deployments
     * @return deployments, newest first, with a count of their devices by state (not the devices)
     */
    public List<Map<String, Object>> list(int limit) {
        return db.transaction(tx -> {
            List<Map<String, Object>> list = new ArrayList<>();
            for (DeploymentRecord d : tx.listDeployments(limit)) {
                list.add(view(tx, d.id(), false));
            }
            return list;
        });
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
                return Outcome.refused(new CloudError(404, "not_found", "No deployment " + printable(id) + "."));
            }
            if (COMPLETED.equals(d.get().state())) {
                return Outcome.refused(new CloudError(409, "deployment_finished", "Deployment " + id
                        + " has completed; there is nothing left to cancel."));
            }
            if (!CANCELLED.equals(d.get().state())) {
                tx.updateDeployment(id, CANCELLED, d.get().currentWave(), now);
                int n = 0;
                for (DeploymentTarget t : tx.targetsOf(id)) {
                    if (PENDING.equals(t.state())) {
                        tx.updateTarget(new DeploymentTarget(id, t.deviceId(), t.wave(), CANCELLED, now,
                                "cancelled by an operator", null));
                        n++;
                    }
                }
                audit(tx, now, "deployment_cancelled", "ok", actor, null, id + ": " + n + " pending device(s) cancelled");
            }
            return Outcome.ok(view(tx, id, true));
        });
        return o.get();
    }

    // ------------------------------------------------------------------ the device's side

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
        if (body == null) {
            throw new CloudError(400, "invalid_request", "The report needs a JSON object: {\"state\", \"reason\", \"failed\"}.");
        }
        JsonNode s = body.get("state");
        if (s == null || !s.isTextual() || !REPORTABLE.contains(s.asText())) {
            throw CloudError.invalidRequest("state", "must be one of downloading, verifying, applying, checking,"
                    + " succeeded, rolled_back, failed");
        }
        JsonNode r = body.get("reason");
        if (r != null && !r.isNull() && !r.isTextual()) {
            throw CloudError.invalidRequest("reason", "must be a string or null");
        }
        JsonNode f = body.get("failed");
        if (f != null && !f.isNull() && !f.isObject()) {
            throw CloudError.invalidRequest("failed", "must be an object {bundle, component, message} or null");
        }
        String reason = r == null || r.isNull() ? null : clip(r.asText(), 1000);
        String failed = failedJson(f);
        boolean known = db.transaction(tx -> {
            var t = tx.findTarget(deploymentId, deviceId);
            if (t.isEmpty()) {
                return false;
            }
            apply(tx, t.get(), s.asText(), reason, failed, source, "device report");
            return true;
        });
        if (!known) {
            throw new CloudError(404, "not_found", "No deployment " + printable(deploymentId) + " for device "
                    + deviceId + ".");
        }
        if (END_STATES.contains(s.asText())) {
            // only an end state can end a wave
            engine.execute(() -> advance(deploymentId));
        }
    }

    /** A device's state as it reported it; never out of an end state. */
    private void apply(StoreTransaction tx, DeploymentTarget t, String state, String reason, String failed,
            String source, String how) throws SQLException {
        long now = clock.millis();
        if (END_STATES.contains(t.state())) {
            if (!t.state().equals(state)) {
                audit(tx, now, "deployment_report", "ignored", source, t.deviceId(), t.deploymentId() + ": " + state
                        + " after " + t.state() + " (" + how + ")");
            }
            return;
        }
        if (t.state().equals(state) && java.util.Objects.equals(reason, t.reason())) {
            return;
        }
        tx.updateTarget(new DeploymentTarget(t.deploymentId(), t.deviceId(), t.wave(), state, now, reason, failed));
        audit(tx, now, "deployment_state", state, source, t.deviceId(), t.deploymentId() + (reason == null ? ""
                : ": " + reason) + " (" + how + ")");
    }

    private String failedJson(JsonNode f) {
        if (f == null || f.isNull()) {
            return null;
        }
        ObjectNode out = json.createObjectNode();
        for (String k : List.of("bundle", "component", "message")) {
            JsonNode v = f.get(k);
            if (v != null && v.isTextual()) {
                out.put(k, clip(v.asText(), 1000));
            } else {
                out.putNull(k);
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ the engine (one thread)

    /** Starts the next wave, halts or completes the rollout, as its devices' states say. */
    private void advance(String id) {
        try {
            List<String> deliver = db.transaction(tx -> decide(tx, id));
            for (String deviceId : deliver) {
                if (tunnels.presence(deviceId).online()) {
                    deliver(id, deviceId);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Rollout {}: {}", id, LogText.of(e), e);
        }
    }

    /** @return the devices to deliver to now (the wave that just started) */
    private List<String> decide(StoreTransaction tx, String id) throws SQLException {
        var found = tx.findDeployment(id);
        if (found.isEmpty() || !RUNNING.equals(found.get().state())) {
            return List.of();
        }
        DeploymentRecord d = found.get();
        Spec spec = spec(d.spec());
        List<DeploymentTarget> targets = tx.targetsOf(id);
        long wave = d.currentWave();
        long now = clock.millis();
        if (wave > 0) {
            long open = 0;
            long failures = 0;
            for (DeploymentTarget t : targets) {
                if (t.wave() == wave) {
                    if (!END_STATES.contains(t.state())) {
                        open++;
                    } else if (t.state().equals("rolled_back") || t.state().equals("failed")) {
                        failures++;
                    }
                }
            }
            if (open > 0) {
                return List.of();
            }
            if (failures > spec.maxFailures()) {
                String reason = "rollout halted: wave " + wave + " had " + failures + " failure"
                        + (failures == 1 ? "" : "s");
                tx.updateDeployment(id, HALTED, wave, now);
                for (DeploymentTarget t : targets) {
                    if (PENDING.equals(t.state())) {
                        tx.updateTarget(new DeploymentTarget(id, t.deviceId(), t.wave(), PENDING, now, reason, null));
                    }
                }
                audit(tx, now, "deployment_halted", "halted", null, null, id + ": " + reason + " (max_failures "
                        + spec.maxFailures() + ")");
                LOG.info("Deployment {}: {}", id, reason);
                return List.of();
            }
        }
        long next = Long.MAX_VALUE;
        for (DeploymentTarget t : targets) {
            if (t.wave() > wave) {
                next = Math.min(next, t.wave());
            }
        }
        if (next == Long.MAX_VALUE) {
            tx.updateDeployment(id, COMPLETED, wave, now);
            audit(tx, now, "deployment_completed", "completed", null, null, id);
            LOG.info("Deployment {} completed", id);
            return List.of();
        }
        tx.updateDeployment(id, RUNNING, next, now);
        List<String> deliver = new ArrayList<>();
        for (DeploymentTarget t : targets) {
            if (t.wave() == next && PENDING.equals(t.state())) {
                deliver.add(t.deviceId());
            }
        }
        audit(tx, now, "deployment_wave_started", "ok", null, null, id + ": wave " + next + ", " + deliver.size()
                + " device(s)");
        return deliver;
    }

    /** A device's tunnel opened: deliver what it has not finished. */
    private void tunnelOpened(String deviceId) {
        engine.execute(() -> {
            try {
                for (DeploymentTarget t : db.transaction(tx -> tx.runningTargetsOfDevice(deviceId))) {
                    if (!END_STATES.contains(t.state())) {
                        deliver(t.deploymentId(), deviceId);
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("Deliveries to {}: {}", deviceId, LogText.of(e), e);
            }
        });
    }

    /** Sends the deployment to the device through its tunnel; the answer comes back to the engine. */
    private void deliver(String id, String deviceId) {
        String key = id + "/" + deviceId;
        if (!inFlight.add(key)) {
            return; // its answer is on its way
        }
        byte[] body;
        try {
            body = db.transaction(tx -> requestBody(tx, id));
        } catch (RuntimeException e) {
            inFlight.remove(key);
            throw e;
        }
        if (body == null) {
            inFlight.remove(key);
            return;
        }
        LocalRequest request = new LocalRequest("POST", DEVICE_PATH,
                Map.of("content-type", "application/json", "accept", "application/json"), body);
        tunnels.forward(deviceId, request).whenComplete((answer, failure) -> engine.execute(() -> {
            inFlight.remove(key);
            answered(id, deviceId, answer, failure);
        }));
    }

    private void answered(String id, String deviceId, LocalResponse answer, Throwable failure) {
        try {
            long now = clock.millis();
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause != null) {
                String code = cause instanceof TunnelException e ? e.code() : "internal_error";
                db.transaction(tx -> {
                    audit(tx, now, "deployment_delivery", code, null, deviceId, id);
                    return null;
                });
                if (!"device_offline".equals(code)) {
                    redeliverLater(id, deviceId); // a timeout, a cut tunnel: try again (an open tunnel also does)
                }
                return;
            }
            int status = answer.status();
            JsonNode record = parse(answer.body());
            String message = record == null ? null : record.path("message").asText(null);
            db.transaction(tx -> {
                audit(tx, now, "deployment_delivery", Integer.toString(status), null, deviceId, id);
                var t = tx.findTarget(id, deviceId);
                if (t.isEmpty()) {
                    return null;
                }
                switch (status) {
                    case 202 -> {
                        if (PENDING.equals(t.get().state())) {
                            String s = record == null ? "downloading" : record.path("state").asText("downloading");
                            apply(tx, t.get(), REPORTABLE.contains(s) ? s : "downloading", null, null, null,
                                    "device accepted");
                        }
                    }
                    case 200 -> {
                        String s = record == null ? null : record.path("state").asText(null);
                        if (s != null && REPORTABLE.contains(s)) {
                            JsonNode r = record.get("reason");
                            apply(tx, t.get(), s, r == null || !r.isTextual() ? null : clip(r.asText(), 1000),
                                    failedJson(record.get("failed")), null, "device record");
                        }
                    }
                    case 400, 403, 404 -> apply(tx, t.get(), "failed", clip("the device refused the deployment (HTTP "
                            + status + " " + (record == null ? "" : record.path("error").asText("")) + ")"
                            + (message == null ? "" : ": " + message), 1000), null, null, "device answer");
                    default -> {
                        // 409 deployment_in_progress, 5xx: try again later
                    }
                }
                return null;
            });
            if (status == 409 || status >= 500) {
                redeliverLater(id, deviceId);
            }
            advance(id);
        } catch (RuntimeException e) {
            LOG.error("Rollout {} on {}: {}", id, deviceId, LogText.of(e), e);
        }
    }

    private void redeliverLater(String id, String deviceId) {
        String key = id + "/" + deviceId;
        if (!scheduled.add(key)) {
            return;
        }
        engine.schedule(() -> {
            scheduled.remove(key);
            try {
                boolean still = db.transaction(tx -> {
                    var d = tx.findDeployment(id);
                    var t = tx.findTarget(id, deviceId);
                    return d.isPresent() && RUNNING.equals(d.get().state()) && t.isPresent()
                            && !END_STATES.contains(t.get().state()) && t.get().wave() <= d.get().currentWave();
                });
                if (still && tunnels.presence(deviceId).online()) {
                    deliver(id, deviceId);
                }
            } catch (RuntimeException e) {
                LOG.error("Redelivery of {} to {}: {}", id, deviceId, LogText.of(e), e);
            }
        }, redeliveryDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The contract's local request body: the operations with each artifact's name, version, size, signatures. */
    private byte[] requestBody(StoreTransaction tx, String id) throws SQLException {
        var d = tx.findDeployment(id);
        if (d.isEmpty()) {
            return null;
        }
        Spec spec = spec(d.get().spec());
        ObjectNode body = json.createObjectNode();
        body.put("id", id);
        body.put("health_timeout_seconds", spec.healthTimeoutSeconds());
        ArrayNode ops = body.putArray("operations");
        for (JsonNode op : spec.operations()) {
            ObjectNode o = ops.addObject();
            o.put("action", op.path("action").asText());
            if (op.has("artifact")) {
                ArtifactRecord a = tx.findArtifact(op.path("artifact").asText()).orElse(null);
                if (a == null) {
                    return null; // cannot happen: an artifact in use is never deleted
                }
                o.put("symbolic_name", a.symbolicName());
                o.put("version", a.version());
                o.put("sha256", a.sha256());
                o.put("size", a.size());
                ArrayNode sigs = o.putArray("signatures");
                for (SignatureRecord s : a.signatures()) {
                    sigs.addObject().put("key_id", s.keyId()).put("public_key", s.publicKey())
                            .put("signature", s.signature());
                }
            } else {
                o.put("symbolic_name", op.path("symbolic_name").asText());
            }
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ views and helpers

    private Map<String, Object> view(StoreTransaction tx, String id, boolean withDevices) throws SQLException {
        DeploymentRecord d = tx.findDeployment(id).orElseThrow();
        Spec spec = spec(d.spec());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("state", d.state());
        m.put("created_at", time(d.createdAt()));
        m.put("updated_at", time(d.updatedAt()));
        m.put("operations", spec.operations());
        m.put("waves", spec.waves());
        m.put("current_wave", d.currentWave());
        m.put("max_failures", spec.maxFailures());
        m.put("health_timeout_seconds", spec.healthTimeoutSeconds());
        Map<String, Integer> summary = new TreeMap<>();
        List<Map<String, Object>> devices = new ArrayList<>();
        for (DeploymentTarget t : tx.targetsOf(id)) {
            summary.merge(t.state(), 1, Integer::sum);
            if (withDevices) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("device_id", t.deviceId());
                v.put("wave", t.wave());
                v.put("state", t.state());
                v.put("updated_at", time(t.updatedAt()));
                v.put("reason", t.reason());
                v.put("failed", parse(t.failed() == null ? null : t.failed().getBytes(StandardCharsets.UTF_8)));
                devices.add(v);
            }
        }
        m.put("summary", summary);
        if (withDevices) {
            m.put("devices", devices);
        }
        return m;
    }

    private ObjectNode specNode(Spec spec) {
        ObjectNode n = json.createObjectNode();
        n.set("operations", spec.operations());
        n.set("waves", spec.waves());
        n.put("max_failures", spec.maxFailures());
        n.put("health_timeout_seconds", spec.healthTimeoutSeconds());
        return n;
    }

    private Spec spec(String text) {
        try {
            JsonNode n = json.readTree(text);
            return new Spec(n.get("operations"), n.get("waves"), n.path("max_failures").asInt(),
                    n.path("health_timeout_seconds").asInt(60));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored deployment is damaged", e);
        }
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode n = json.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static void audit(StoreTransaction tx, long now, String event, String result, String actor,
            String deviceId, String detail) throws SQLException {
        tx.audit(new AuditEvent(0, now, event, clip(result, 32), actor, null, null, deviceId, null, clip(detail, 500)));
    }

    static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String printable(String id) {
        if (id == null) {
            return "''";
        }
        String t = id.length() > 64 ? id.substring(0, 64) + "..." : id;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Stops the engine; a rollout goes on after the next start. */
    @Override
    public void close() {
        engine.shutdownNow();
        try {
            engine.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
