package io.edgeflow.cloud.updates;

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeploymentTarget;
import io.edgeflow.cloud.store.StoreTransaction;

/**
 * Each device's state in a deployment: what it may report, the checks of its report, and the one rule of every
 * transition (a device never leaves an end state; what comes after one is only audited as {@code ignored}).
 * <p>
 * Threading: no state of its own. {@link #report} runs on a request thread in one transaction of its own;
 * {@link #apply} runs inside its caller's transaction (a report, or the rollout engine reading a device's answer).
 *
 * @param db the database
 * @param clock the clock of the records' times
 * @param json the mapper
 */
record DeviceStates(Database db, Clock clock, ObjectMapper json) {
    /** A device's states, in their order. */
    static final List<String> ALL = List.of("pending", "downloading", "verifying", "applying", "checking",
            "succeeded", "rolled_back", "failed", "cancelled");
    /** A device's end states. */
    static final Set<String> END = Set.of("succeeded", "rolled_back", "failed", "cancelled");
    /** What a device may report. */
    static final Set<String> REPORTABLE = Set.of("downloading", "verifying", "applying", "checking", "succeeded",
            "rolled_back", "failed");
    /** The state of a device its deployment has not reached yet. */
    static final String PENDING = "pending";

    /**
     * Records a device's report of its state (the device is already authenticated).
     *
     * @param deviceId the device
     * @param deploymentId the deployment
     * @param body {@code {"state", "reason", "failed"}}
     * @param source the device's address
     * @return true if the state reported is an end state (only that can end a wave)
     * @throws CloudError 404 if the deployment does not target the device, 400 for a malformed report
     */
    boolean report(String deviceId, String deploymentId, JsonNode body, String source) throws CloudError {
        if (body == null) {
            throw new CloudError(400, "invalid_request",
                    "The report needs a JSON object: {\"state\", \"reason\", \"failed\"}.");
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
        String reason = r == null || r.isNull() ? null : UpdateAudit.clip(r.asText(), 1000);
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
            throw new CloudError(404, "not_found", "No deployment " + DeploymentViews.printable(deploymentId)
                    + " for device " + deviceId + ".");
        }
        return END.contains(s.asText());
    }

    /**
     * Moves a device to the state it reported; never out of an end state.
     *
     * @param tx the caller's transaction
     * @param t the device's row as it is
     * @param state the state reported
     * @param reason why, or null
     * @param failed what failed, as {@link #failedJson} makes it, or null
     * @param source the device's address, or null when it came through the tunnel
     * @param how where the state came from, for the audit trail
     * @throws SQLException as the store throws it
     */
    void apply(StoreTransaction tx, DeploymentTarget t, String state, String reason, String failed, String source,
            String how) throws SQLException {
        long now = clock.millis();
        if (END.contains(t.state())) {
            if (!t.state().equals(state)) {
                UpdateAudit.record(tx, now, "deployment_report", "ignored", source, t.deviceId(), t.deploymentId()
                        + ": " + state + " after " + t.state() + " (" + how + ")");
            }
            return;
        }
        if (t.state().equals(state) && Objects.equals(reason, t.reason())) {
            return;
        }
        tx.updateTarget(new DeploymentTarget(t.deploymentId(), t.deviceId(), t.wave(), state, now, reason, failed));
        UpdateAudit.record(tx, now, "deployment_state", state, source, t.deviceId(), t.deploymentId()
                + (reason == null ? "" : ": " + reason) + " (" + how + ")");
    }

    /**
     * @param f what a device said failed, or null
     * @return it as stored: {@code {bundle, component, message}}, each text clipped or null; null for null
     */
    String failedJson(JsonNode f) {
        if (f == null || f.isNull()) {
            return null;
        }
        ObjectNode out = json.createObjectNode();
        for (String k : List.of("bundle", "component", "message")) {
            JsonNode v = f.get(k);
            if (v != null && v.isTextual()) {
                out.put(k, UpdateAudit.clip(v.asText(), 1000));
            } else {
                out.putNull(k);
            }
        }
        return out.toString();
    }
}
