package io.edgeflow.cloud.updates;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeploymentRecord;
import io.edgeflow.cloud.store.DeploymentTarget;
import io.edgeflow.cloud.store.StoreTransaction;

/**
 * Deployments as the API shows them: their spec, their wave, their devices' states and a count of them by state.
 * <p>
 * Threading: reads only, each view inside one transaction (the caller's, or one of its own); any thread.
 *
 * @param db the database
 * @param json the mapper
 */
record DeploymentViews(Database db, ObjectMapper json) {
    /**
     * @param id a deployment
     * @return it with its devices
     * @throws CloudError 404
     */
    Map<String, Object> get(String id) throws CloudError {
        Map<String, Object> v = db.transaction(tx -> tx.findDeployment(id).isPresent() ? view(tx, id, true) : null);
        if (v == null) {
            throw notFound(id);
        }
        return v;
    }

    /**
     * @param limit most deployments
     * @return deployments, newest first, with a count of their devices by state (not the devices)
     */
    List<Map<String, Object>> list(int limit) {
        return db.transaction(tx -> {
            List<Map<String, Object>> list = new ArrayList<>();
            for (DeploymentRecord d : tx.listDeployments(limit)) {
                list.add(view(tx, d.id(), false));
            }
            return list;
        });
    }

    /**
     * @param tx the caller's transaction
     * @param id a deployment that exists
     * @param withDevices true to list each device, false for the count by state only
     * @return the deployment as the API shows it
     * @throws SQLException as the store throws it
     */
    Map<String, Object> view(StoreTransaction tx, String id, boolean withDevices) throws SQLException {
        DeploymentRecord d = tx.findDeployment(id).orElseThrow();
        DeploymentSpec spec = DeploymentSpec.read(json, d.spec());
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
                v.put("failed", object(json, t.failed() == null ? null : t.failed().getBytes(StandardCharsets.UTF_8)));
                devices.add(v);
            }
        }
        m.put("summary", summary);
        if (withDevices) {
            m.put("devices", devices);
        }
        return m;
    }

    /**
     * @param id the deployment asked for, as the caller wrote it
     * @return the 404 naming it
     */
    static CloudError notFound(String id) {
        return new CloudError(404, "not_found", "No deployment " + printable(id) + ".");
    }

    /**
     * @param json the mapper
     * @param body JSON text, or null
     * @return the JSON object in it, or null if it is empty, not JSON or not an object
     */
    static JsonNode object(ObjectMapper json, byte[] body) {
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

    /** @return an id a caller sent, as it may appear in a message: printable ASCII, at most 64 characters */
    static String printable(String id) {
        if (id == null) {
            return "''";
        }
        String t = id.length() > 64 ? id.substring(0, 64) + "..." : id;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
