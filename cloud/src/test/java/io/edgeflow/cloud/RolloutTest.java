package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.updates.UpdateSettings;

/**
 * Deployments rolled out in waves to simulated devices: each answers the deployment request on its tunnel and
 * reports its states over HTTPS, as docs/updates.md has it.
 */
class RolloutTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    static Path dir;
    static TestCloud cloud;
    static KeyPair publisher;
    static byte[] jar;
    static String sha;

    @BeforeAll
    static void start() throws Exception {
        // a short redelivery delay: a device that was busy (409) gets the deployment again quickly
        cloud = new TestCloud(dir.resolve("data"), UpdateSettings.DEFAULTS.withRedeliveryDelay(Duration.ofMillis(200)));
        publisher = Bundles.keyPair();
        jar = Bundles.jar("io.edgeflow.facts.hardware", "0.2.0", 100 * 1024);
        sha = cloud.uploadSigned(jar, publisher);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    static Answer deploy(List<String> devices, Object waves, int maxFailures) throws Exception {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("operations", List.of(Map.of("action", "update", "artifact", sha)));
        body.put("devices", devices);
        if (waves != null) {
            body.put("waves", waves);
        }
        body.put("max_failures", maxFailures);
        Answer a = cloud.admin("POST", "/api/v1/admin/deployments", body);
        assertThat(a.status()).as(a.toString()).isEqualTo(201);
        return a;
    }

    static JsonNode deployment(String id) throws Exception {
        return cloud.admin("GET", "/api/v1/admin/deployments/" + id, null).body();
    }

    static JsonNode device(JsonNode deployment, String deviceId) {
        for (JsonNode d : deployment.path("devices")) {
            if (d.path("device_id").asText().equals(deviceId)) {
                return d;
            }
        }
        throw new AssertionError(deviceId + " not in " + deployment);
    }

    static void awaitState(String id, String state) throws Exception {
        Eventually.until("deployment " + id + " " + state, WAIT, () -> deployment(id).path("state").asText().equals(state));
    }

    static void awaitDevice(String id, String deviceId, String state) throws Exception {
        Eventually.until(deviceId + " " + state + " in " + id, WAIT,
                () -> device(deployment(id), deviceId).path("state").asText().equals(state));
    }

    @Test
    void aWaveWithTooManyFailuresHaltsTheRolloutAndTheRestStaysPending() throws Exception {
        List<UpdatingDevice> devices = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                devices.add(UpdatingDevice.provision(cloud).connect());
            }
            devices.get(1).outcome = "rolled_back"; // in the second wave
            List<String> ids = devices.stream().map(d -> d.id).toList();
            Answer created = deploy(ids, Arrays.asList(1, 3, "100%"), 0);
            String id = created.text("id");
            assertThat(id).startsWith("dep_");
            assertThat(created.body().path("devices").findValuesAsText("wave")).containsExactly("1", "2", "2", "3", "3");

            awaitState(id, "halted");
            JsonNode d = deployment(id);
            assertThat(device(d, ids.get(0)).path("state").asText()).isEqualTo("succeeded");
            JsonNode failed = device(d, ids.get(1));
            assertThat(failed.path("state").asText()).isEqualTo("rolled_back");
            assertThat(failed.path("reason").asText()).isEqualTo("the component threw on activation");
            assertThat(failed.path("failed").path("bundle").asText()).isEqualTo("io.edgeflow.facts.hardware");
            assertThat(device(d, ids.get(2)).path("state").asText()).isEqualTo("succeeded");
            for (String rest : ids.subList(3, 5)) {
                assertThat(device(d, rest).path("state").asText()).isEqualTo("pending");
                assertThat(device(d, rest).path("reason").asText()).isEqualTo("rollout halted: wave 2 had 1 failure");
            }
            assertThat(devices.get(3).requests).as("the third wave never started").isEmpty();
            assertThat(devices.get(4).requests).isEmpty();
            // what the first device received: the contract's operation with the artifact's name, size, signatures
            JsonNode op = devices.get(0).requests.get(0).path("operations").get(0);
            assertThat(op.path("symbolic_name").asText()).isEqualTo("io.edgeflow.facts.hardware");
            assertThat(op.path("version").asText()).isEqualTo("0.2.0");
            assertThat(op.path("size").asLong()).isEqualTo(jar.length);
            assertThat(op.path("signatures").get(0).path("public_key").asText()).isEqualTo(Bundles.publicKey(publisher));
            assertThat(devices.get(0).requests.get(0).path("health_timeout_seconds").asInt()).isEqualTo(60);
            assertThat(devices.get(0).downloads.get(0)).isEqualTo(jar);

            List<String> audit = cloud.admin("GET", "/api/v1/admin/audit?limit=1000", null).body().path("events")
                    .findValuesAsText("event");
            assertThat(audit).contains("deployment_created", "deployment_wave_started", "deployment_delivery",
                    "deployment_state", "deployment_halted");
            assertThat(cloud.admin("GET", "/api/v1/admin/deployments", null).body().path("deployments")
                    .findValuesAsText("id")).contains(id);
        } finally {
            for (UpdatingDevice u : devices) {
                u.close();
            }
        }
    }

    @Test
    void failuresWithinTheThresholdLetTheRolloutComplete() throws Exception {
        try (UpdatingDevice a = UpdatingDevice.provision(cloud).connect();
                UpdatingDevice b = UpdatingDevice.provision(cloud).connect()) {
            a.outcome = "failed";
            String id = deploy(List.of(a.id, b.id), Arrays.asList(1, "100%"), 1).text("id");
            awaitState(id, "completed");
            assertThat(device(deployment(id), a.id).path("state").asText()).isEqualTo("failed");
            assertThat(device(deployment(id), b.id).path("state").asText()).isEqualTo("succeeded");
            Answer cancel = cloud.admin("POST", "/api/v1/admin/deployments/" + id + "/cancel", null);
            assertThat(cancel.status()).isEqualTo(409);
            assertThat(cancel.error()).isEqualTo("deployment_finished");
        }
    }

    @Test
    void anOfflineDeviceGetsItsDeploymentWhenItsTunnelComesBack() throws Exception {
        UpdatingDevice.Offline offline = UpdatingDevice.provision(cloud);
        String id = deploy(List.of(offline.id()), null, 0).text("id");
        awaitState(id, "running");
        assertThat(device(deployment(id), offline.id()).path("state").asText()).isEqualTo("pending");
        try (UpdatingDevice d = offline.connect()) {
            awaitState(id, "completed");
            assertThat(d.requests).hasSize(1);
            assertThat(device(deployment(id), d.id).path("state").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void aDeviceWithoutTrustedKeysFailsWithItsMessageAndABusyOneIsAskedAgain() throws Exception {
        try (UpdatingDevice refusing = UpdatingDevice.provision(cloud).connect(List.of(403));
                UpdatingDevice busy = UpdatingDevice.provision(cloud).connect(List.of(409))) {
            String id = deploy(List.of(refusing.id, busy.id), null, 5).text("id");
            awaitState(id, "completed");
            JsonNode d = deployment(id);
            assertThat(device(d, refusing.id).path("state").asText()).isEqualTo("failed");
            assertThat(device(d, refusing.id).path("reason").asText()).contains("updates_disabled")
                    .contains("no trusted key is configured");
            assertThat(device(d, busy.id).path("state").asText()).isEqualTo("succeeded");
            assertThat(busy.requests).hasSize(2);
        }
    }

    @Test
    void cancelledDevicesNeverGetTheDeployment() throws Exception {
        UpdatingDevice.Offline a = UpdatingDevice.provision(cloud);
        UpdatingDevice.Offline b = UpdatingDevice.provision(cloud);
        String id = deploy(List.of(a.id(), b.id()), null, 0).text("id");
        Answer cancelled = cloud.admin("POST", "/api/v1/admin/deployments/" + id + "/cancel", null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.text("state")).isEqualTo("cancelled");
        for (String d : List.of(a.id(), b.id())) {
            assertThat(device(cancelled.body(), d).path("state").asText()).isEqualTo("cancelled");
            assertThat(device(cancelled.body(), d).path("reason").asText()).isEqualTo("cancelled by an operator");
        }
        assertThat(cloud.admin("POST", "/api/v1/admin/deployments/" + id + "/cancel", null).status()).isEqualTo(200);
        // a device of a cancelled rollout that comes online gets nothing; a later deployment still reaches it
        String next = deploy(List.of(a.id()), null, 0).text("id");
        try (UpdatingDevice d = a.connect()) {
            awaitState(next, "completed");
            assertThat(d.requests).extracting(r -> r.path("id").asText()).containsExactly(next);
        }
        assertThat(cloud.admin("POST", "/api/v1/admin/deployments/dep_nothing/cancel", null).status()).isEqualTo(404);
    }

    @Test
    void aTargetedDeviceDownloadsWithRangeResumeOthersGetNothing() throws Exception {
        UpdatingDevice.Offline target = UpdatingDevice.provision(cloud);
        UpdatingDevice.Offline other = UpdatingDevice.provision(cloud);
        String id = deploy(List.of(target.id()), null, 0).text("id");
        try (UpdatingDevice d = target.connect(List.of(409, 409, 409, 409, 409, 409, 409, 409, 409, 409));
                UpdatingDevice o = other.connect()) {
            String path = "/api/v1/devices/" + d.id + "/artifacts/" + sha;
            HttpResponse<byte[]> whole = d.get(path, null);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.headers().firstValue("content-type")).hasValue("application/java-archive");
            assertThat(whole.body()).isEqualTo(jar);
            HttpResponse<byte[]> rest = d.get(path, "bytes=1000-");
            assertThat(rest.statusCode()).isEqualTo(206);
            assertThat(rest.headers().firstValue("content-range")).hasValue("bytes 1000-" + (jar.length - 1) + "/"
                    + jar.length);
            assertThat(rest.body()).isEqualTo(Arrays.copyOfRange(jar, 1000, jar.length));
            assertThat(d.get(path, "bytes=" + jar.length + "-").statusCode()).isEqualTo(416);

            HttpResponse<byte[]> notTargeted = o.get("/api/v1/devices/" + o.id + "/artifacts/" + sha, null);
            assertThat(notTargeted.statusCode()).isEqualTo(404);
            assertThat(new String(notTargeted.body())).contains("not_found");
            assertThat(cloud.call("GET", path, null, o.key).status()).as("another device's key").isEqualTo(401);
            assertThat(cloud.call("GET", path, null, null).status()).isEqualTo(401);

            String report = "/api/v1/devices/" + d.id + "/deployments/" + id + "/status";
            assertThat(cloud.call("POST", report, Map.of("state", "applying"), o.key).status()).isEqualTo(401);
            assertThat(cloud.call("POST", report, Map.of("state", "applying"), "efk_wrong").status()).isEqualTo(401);
            Answer bad = cloud.call("POST", report, Map.of("state", "exploded"), d.key);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(cloud.call("POST", "/api/v1/devices/" + o.id + "/deployments/" + id + "/status",
                    Map.of("state", "applying"), o.key).status()).as("not its deployment").isEqualTo(404);

            // a report out of an end state is ignored
            assertThat(d.report(id, "failed", "no space left").status()).isEqualTo(204);
            assertThat(d.report(id, "succeeded", null).status()).isEqualTo(204);
            JsonNode row = device(deployment(id), d.id);
            assertThat(row.path("state").asText()).isEqualTo("failed");
            assertThat(row.path("reason").asText()).isEqualTo("no space left");
        }
    }

    @Test
    void aDeploymentIsCheckedBeforeItIsCreated() throws Exception {
        String device = cloud.provisionDevice().text("device_id");
        String unsigned = cloud.upload(Bundles.jar("io.edgeflow.unsigned", "1.0.0")).text("sha256");
        Map<String, Answer> answers = new java.util.LinkedHashMap<>();
        answers.put("unsigned", cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations",
                List.of(Map.of("action", "update", "artifact", unsigned)), "devices", List.of(device))));
        answers.put("unknown artifact", cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations",
                List.of(Map.of("action", "update", "artifact", "b".repeat(64))), "devices", List.of(device))));
        answers.put("unknown device", cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations",
                List.of(Map.of("action", "update", "artifact", sha)), "devices", List.of("dev_nobody"))));
        answers.put("bad action", cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations",
                List.of(Map.of("action", "explode", "artifact", sha)), "devices", List.of(device))));
        answers.put("waves short", cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations",
                List.of(Map.of("action", "update", "artifact", sha)), "devices", List.of(device), "waves",
                List.of("0%"))));
        answers.put("no devices", cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations",
                List.of(Map.of("action", "uninstall", "symbolic_name", "io.edgeflow.x")))));
        for (Map.Entry<String, Answer> e : answers.entrySet()) {
            assertThat(e.getValue().status()).as(e.getKey() + ": " + e.getValue()).isEqualTo(400);
            assertThat(e.getValue().error()).isEqualTo("invalid_request");
        }
        assertThat(answers.get("unsigned").text("message")).contains("no signature");
        assertThat(cloud.admin("GET", "/api/v1/admin/deployments/dep_nothing", null).status()).isEqualTo(404);
        try (var files = Files.list(cloud.dataDir)) {
            assertThat(files).isNotEmpty();
        }
    }
}
