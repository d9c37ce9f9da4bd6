package io.edgeflow.cloud.updates;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.store.ArtifactRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.SignatureRecord;
import io.edgeflow.cloud.store.StoreTransaction;
import io.edgeflow.cloud.tunnel.LocalRequest;
import io.edgeflow.cloud.tunnel.LocalResponse;
import io.edgeflow.cloud.tunnel.TunnelException;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * Delivers a deployment to a device: the local API request {@code POST /api/v1/deployments} through its tunnel, when
 * its wave starts, again when its tunnel opens while its state is not an end state, and again later when the device
 * was busy (409), did not answer or failed on its side. The device's answer moves its state like a report does.
 * <p>
 * Threading: everything runs on the rollout engine's one thread (the executor given to the constructor), the
 * tunnel's answers and the redeliveries included; the two sets of keys are concurrent only because a tunnel's
 * answer may complete on another thread before it is handed back.
 */
final class Deliveries {
    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
    /** The device's local API path a deployment is delivered to. */
    static final String DEVICE_PATH = "/api/v1/deployments";

    private final Database db;
    private final TunnelHub tunnels;
    private final Clock clock;
    private final Duration redeliveryDelay;
    private final ObjectMapper json;
    private final DeviceStates states;
    private final ScheduledExecutorService engine;
    private final Consumer<String> advance;
    /** Redeliveries waiting, as deployment/device: one each at most. */
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    /**
     * Deliveries waiting for the device's answer, as deployment/device: a wave that starts as the device's tunnel
     * opens would otherwise send it twice.
     */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * @param db the database
     * @param tunnels the open tunnels
     * @param clock the clock of every time stored
     * @param redeliveryDelay how long to wait before delivering again
     * @param json the mapper
     * @param states the devices' state transitions
     * @param engine the rollout engine's thread
     * @param advance what the engine does with a deployment after a device's answer (on the engine's thread)
     */
    Deliveries(Database db, TunnelHub tunnels, Clock clock, Duration redeliveryDelay, ObjectMapper json,
            DeviceStates states, ScheduledExecutorService engine, Consumer<String> advance) {
        this.db = db;
        this.tunnels = tunnels;
        this.clock = clock;
        this.redeliveryDelay = redeliveryDelay;
        this.json = json;
        this.states = states;
        this.engine = engine;
        this.advance = advance;
    }

    /** A device's tunnel opened (any thread): deliver what it has not finished. */
    void tunnelOpened(String deviceId) {
        engine.execute(() -> {
            try {
                for (var t : db.transaction(tx -> tx.runningTargetsOfDevice(deviceId))) {
                    if (!DeviceStates.END.contains(t.state())) {
                        deliver(t.deploymentId(), deviceId);
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("Deliveries to {}: {}", deviceId, LogText.of(e), e);
            }
        });
    }

    /** Delivers to each device that is online (engine thread); an offline one gets it when its tunnel opens. */
    void deliverToOnline(String id, Iterable<String> deviceIds) {
        for (String deviceId : deviceIds) {
            if (tunnels.presence(deviceId).online()) {
                deliver(id, deviceId);
            }
        }
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
                    UpdateAudit.record(tx, now, "deployment_delivery", code, null, deviceId, id);
                    return null;
                });
                if (!"device_offline".equals(code)) {
                    redeliverLater(id, deviceId); // a timeout, a cut tunnel: try again (an open tunnel also does)
                }
                return;
            }
            int status = answer.status();
            JsonNode record = DeploymentViews.object(json, answer.body());
            String message = record == null ? null : record.path("message").asText(null);
            db.transaction(tx -> {
                UpdateAudit.record(tx, now, "deployment_delivery", Integer.toString(status), null, deviceId, id);
                var t = tx.findTarget(id, deviceId);
                if (t.isEmpty()) {
                    return null;
                }
                switch (status) {
                    case 202 -> {
                        if (DeviceStates.PENDING.equals(t.get().state())) {
                            String s = record == null ? "downloading" : record.path("state").asText("downloading");
                            states.apply(tx, t.get(), DeviceStates.REPORTABLE.contains(s) ? s : "downloading", null,
                                    null, null, "device accepted");
                        }
                    }
                    case 200 -> {
                        String s = record == null ? null : record.path("state").asText(null);
                        if (s != null && DeviceStates.REPORTABLE.contains(s)) {
                            JsonNode r = record.get("reason");
                            states.apply(tx, t.get(), s, r == null || !r.isTextual() ? null
                                    : UpdateAudit.clip(r.asText(), 1000), states.failedJson(record.get("failed")),
                                    null, "device record");
                        }
                    }
                    case 400, 403, 404 -> states.apply(tx, t.get(), "failed", UpdateAudit.clip(
                            "the device refused the deployment (HTTP " + status + " "
                                    + (record == null ? "" : record.path("error").asText("")) + ")"
                                    + (message == null ? "" : ": " + message), 1000),
                            null, null, "device answer");
                    default -> {
                        // 409 deployment_in_progress, 5xx: try again later
                    }
                }
                return null;
            });
            if (status == 409 || status >= 500) {
                redeliverLater(id, deviceId);
            }
            advance.accept(id);
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
                    return d.isPresent() && Rollouts.RUNNING.equals(d.get().state()) && t.isPresent()
                            && !DeviceStates.END.contains(t.get().state()) && t.get().wave() <= d.get().currentWave();
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
        DeploymentSpec spec = DeploymentSpec.read(json, d.get().spec());
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
}
