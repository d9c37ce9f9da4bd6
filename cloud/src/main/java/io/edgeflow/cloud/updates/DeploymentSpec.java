package io.edgeflow.cloud.updates;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * A deployment's operations, waves and thresholds, as an admin asks for them and as they are stored: the checks of
 * {@code POST /api/v1/deployments} (each refusal names its field) and the split of the targets into waves.
 * <p>
 * Threading: an immutable value and pure functions; any thread.
 *
 * @param operations the operations, each {@code {action, artifact}} or {@code {action, symbolic_name}}
 * @param waves the cumulative wave sizes, each a number of devices or a percentage
 * @param maxFailures the failures a wave may have before the rollout halts
 * @param healthTimeoutSeconds how long a device checks its health after applying
 */
record DeploymentSpec(JsonNode operations, JsonNode waves, int maxFailures, int healthTimeoutSeconds) {
    private static final int MAX_OPERATIONS = 50;
    /** Most devices one deployment targets. */
    static final int MAX_TARGETS = 100_000;
    private static final int MAX_WAVES = 20;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * A checked creation request.
     *
     * @param spec what is stored
     * @param artifacts the artifacts its operations install or update, as SHA-256, in the order named
     * @param allDevices true for {@code "devices": "all"}
     * @param devices the device ids named (each once), when not all
     */
    record Request(DeploymentSpec spec, List<String> artifacts, boolean allDevices, List<String> devices) {
    }

    /**
     * @param body the request: operations, devices, waves, max_failures, health_timeout_seconds
     * @return it checked
     * @throws CloudError 400 {@code invalid_request} naming the field
     */
    static Request fromRequest(JsonNode body) throws CloudError {
        if (body == null) {
            throw new CloudError(400, "invalid_request", "The request needs a JSON object as its body.");
        }
        int maxFailures = wholeNumber(body.get("max_failures"), "max_failures", 0, 0, 1_000_000);
        int health = wholeNumber(body.get("health_timeout_seconds"), "health_timeout_seconds", 60, 1, 3600);
        JsonNode waves = body.get("waves");
        if (waves == null || waves.isNull()) {
            waves = NODES.arrayNode().add("100%");
        }
        checkWaves(waves);
        JsonNode opsIn = body.get("operations");
        if (opsIn == null || !opsIn.isArray() || opsIn.isEmpty() || opsIn.size() > MAX_OPERATIONS) {
            throw CloudError.invalidRequest("operations", "must be a list of 1 to " + MAX_OPERATIONS + " operations");
        }
        ArrayNode operations = NODES.arrayNode();
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
        return new Request(new DeploymentSpec(operations, waves, maxFailures, health), List.copyOf(artifacts), all,
                List.copyOf(named));
    }

    /**
     * @param json the mapper
     * @param text a stored spec
     * @return it
     * @throws IllegalStateException if it is damaged
     */
    static DeploymentSpec read(ObjectMapper json, String text) {
        try {
            JsonNode n = json.readTree(text);
            return new DeploymentSpec(n.get("operations"), n.get("waves"), n.path("max_failures").asInt(),
                    n.path("health_timeout_seconds").asInt(60));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored deployment is damaged", e);
        }
    }

    /**
     * @param json the mapper
     * @return the spec as stored
     */
    String write(ObjectMapper json) {
        ObjectNode n = NODES.objectNode();
        n.set("operations", operations);
        n.set("waves", waves);
        n.put("max_failures", maxFailures);
        n.put("health_timeout_seconds", healthTimeoutSeconds);
        try {
            return json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode operation(JsonNode op, String field, List<String> artifacts) throws CloudError {
        if (op == null || !op.isObject()) {
            throw CloudError.invalidRequest(field, "must be an object with an 'action'");
        }
        String action = op.path("action").asText("");
        ObjectNode out = NODES.objectNode();
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
     * @param n the number of targets
     * @return each target's wave, from 1 (a wave that adds no device is skipped, its number kept)
     * @throws CloudError if the sizes shrink or do not reach every device
     */
    int[] assignWaves(int n) throws CloudError {
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
}
