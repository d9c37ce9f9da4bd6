package io.edgeflow.cloud.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.store.ArtifactRecord;
import io.edgeflow.cloud.updates.Artifacts;
import io.edgeflow.cloud.updates.Rollouts;

/**
 * Remote updates ({@code docs/updates.md}) through the same services the admin API uses: Artifacts (what is stored,
 * signed or not; delete one) and Rollouts (create one over signed artifacts, watch its waves progress, the device
 * table reloading itself every few seconds, cancel it). Uploading and signing stay with the CLI: a publisher's private
 * key never reaches a browser.
 * <p>
 * Threading: stateless; any request thread.
 */
final class UpdatePages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARTIFACTS = Dashboard.ROOT + "/artifacts";
    private static final String ROLLOUTS = Dashboard.ROOT + "/rollouts";

    private final Artifacts artifacts;
    private final Rollouts rollouts;

    UpdatePages(Artifacts artifacts, Rollouts rollouts) {
        this.artifacts = artifacts;
        this.rollouts = rollouts;
    }

    void addTo(Dashboard dashboard) {
        dashboard.add("GET", ARTIFACTS, this::artifactList, false);
        dashboard.add("POST", ARTIFACTS + "/{sha}/delete", this::deleteArtifact, false);
        dashboard.add("GET", ROLLOUTS, x -> rolloutList(x, 200, null), false);
        dashboard.add("POST", ROLLOUTS, this::createRollout, false);
        dashboard.add("GET", ROLLOUTS + "/{id}", x -> rollout(x, "rollout.jte"), false);
        dashboard.add("GET", ROLLOUTS + "/{id}/devices", x -> rollout(x, "rolloutDevices.jte"), false);
        dashboard.add("POST", ROLLOUTS + "/{id}/cancel", this::cancel, false);
    }

    private List<PageModels.ArtifactLine> artifactLines() {
        List<PageModels.ArtifactLine> lines = new ArrayList<>();
        for (ArtifactRecord a : artifacts.list(500)) {
            lines.add(new PageModels.ArtifactLine(a.sha256(), a.sha256().substring(0, 12), a.symbolicName(),
                    a.version(), a.size(), Show.time(a.uploadedAt()), a.signatures().size()));
        }
        return lines;
    }

    private void artifactList(Exchange x) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Artifacts", "artifacts"));
        model.put("artifacts", artifactLines());
        x.render(200, "artifacts.jte", model);
    }

    private void deleteArtifact(Exchange x) throws CloudError {
        try {
            artifacts.delete(Artifacts.checkSha256(x.param("sha")), DevicePages.source(x));
        } catch (java.io.IOException e) {
            throw new CloudError(500, "internal_error", "The artifact's file could not be deleted: " + e.getMessage());
        }
        x.redirect(ARTIFACTS);
    }

    private void rolloutList(Exchange x, int status, String problem) {
        List<PageModels.RolloutLine> lines = new ArrayList<>();
        for (Map<String, Object> d : rollouts.list(100)) {
            lines.add(line(JSON.valueToTree(d)));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Rollouts", "rollouts"));
        model.put("rollouts", lines);
        model.put("artifacts", artifactLines().stream().filter(a -> a.signatures() > 0).toList());
        model.put("problem", problem);
        x.render(status, "rollouts.jte", model);
    }

    private static PageModels.RolloutLine line(JsonNode d) {
        StringBuilder ops = new StringBuilder();
        for (JsonNode op : d.path("operations")) {
            ops.append(ops.length() == 0 ? "" : ", ").append(op.path("action").asText()).append(' ')
                    .append(op.has("artifact") ? op.path("artifact").asText().substring(0, Math.min(12,
                            op.path("artifact").asText().length())) : op.path("symbolic_name").asText());
        }
        StringBuilder summary = new StringBuilder();
        d.path("summary").fields().forEachRemaining(e -> summary.append(summary.length() == 0 ? "" : ", ")
                .append(e.getValue().asText()).append(' ').append(e.getKey()));
        return new PageModels.RolloutLine(d.path("id").asText(), d.path("state").asText(),
                Show.text(d.path("created_at").asText(null)), ops.toString(), "wave " + (d.path("current_wave").asLong()
                        + 1) + " of " + d.path("waves").size() + " (" + d.path("waves").toString() + ")",
                summary.toString());
    }

    private void createRollout(Exchange x) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode ops = body.putArray("operations");
        ops.addObject().put("action", x.form("action")).put("artifact", x.form("artifact"));
        String devices = x.form("devices").strip();
        if (devices.isEmpty() || devices.equalsIgnoreCase("all")) {
            body.put("devices", "all");
        } else {
            ArrayNode list = body.putArray("devices");
            for (String id : devices.split("[,\\s]+")) {
                list.add(id);
            }
        }
        ArrayNode waves = body.putArray("waves");
        for (String w : (x.form("waves").isBlank() ? "100%" : x.form("waves")).split("[,\\s]+")) {
            if (w.matches("\\d{1,9}")) {
                waves.add(Integer.parseInt(w));
            } else {
                waves.add(w);
            }
        }
        try {
            body.put("max_failures", Integer.parseInt(x.form("max_failures").isBlank() ? "0" : x.form("max_failures")));
            body.put("health_timeout_seconds", Integer.parseInt(x.form("health_timeout").isBlank() ? "60"
                    : x.form("health_timeout")));
        } catch (NumberFormatException e) {
            rolloutList(x, 400, "Max failures and the health timeout are whole numbers.");
            return;
        }
        try {
            Map<String, Object> created = rollouts.create(body, DevicePages.source(x));
            x.redirect(ROLLOUTS + "/" + created.get("id"));
        } catch (CloudError e) {
            rolloutList(x, e.status() >= 500 ? e.status() : 400, e.getMessage());
        }
    }

    private void rollout(Exchange x, String template) throws CloudError {
        JsonNode d = JSON.valueToTree(rollouts.get(x.param("id")));
        List<PageModels.RolloutDevice> devices = new ArrayList<>();
        for (JsonNode dev : d.path("devices")) {
            JsonNode failed = dev.path("failed");
            String reason = dev.path("reason").asText("");
            if (failed.isObject()) {
                reason = (reason.isEmpty() ? "" : reason + "; ") + failed.path("bundle").asText("") + " "
                        + failed.path("component").asText("") + " " + failed.path("message").asText("");
            }
            devices.add(new PageModels.RolloutDevice(dev.path("device_id").asText(), dev.path("wave").asLong() + 1,
                    dev.path("state").asText(), Show.text(dev.path("updated_at").asText(null)), reason.strip()));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome(d.path("id").asText(), "rollouts"));
        model.put("rollout", line(d));
        model.put("devices", devices);
        model.put("cancellable", Rollouts.RUNNING.equals(d.path("state").asText())
                || Rollouts.HALTED.equals(d.path("state").asText()));
        x.render(200, template, model);
    }

    private void cancel(Exchange x) throws CloudError {
        rollouts.cancel(x.param("id"), DevicePages.source(x));
        x.redirect(ROLLOUTS + "/" + x.param("id"));
    }
}
