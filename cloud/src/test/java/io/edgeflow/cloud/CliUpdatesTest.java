package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.CliTest.Run;

/** {@code artifacts}, {@code deployments}, {@code devices bundles|config}, as an operator types them. */
class CliUpdatesTest extends RunningCloud {
    private static Run admin(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--url", cloud.url(), "--data-dir", cloud.dataDir.toString()));
        return CliTest.cli(Map.of(), all.toArray(new String[0]));
    }

    @Test
    void keygenUploadSignDeployCancelDelete() throws Exception {
        Path keys = dir.resolve("keys");
        Run keygen = CliTest.cli(Map.of(), "artifacts", "keygen", "--out", keys.toString());
        assertThat(keygen.status()).as(keygen.toString()).isZero();
        String publicKey = keygen.out().trim();
        assertThat(publicKey).startsWith("ed25519:");
        Path privateKey = keys.resolve("publisher.pem");
        assertThat(FilePermissions.mode(privateKey)).isEqualTo("rw-------");
        assertThat(Files.readString(keys.resolve("publisher.pub.pem"))).contains("BEGIN PUBLIC KEY");
        assertThat(CliTest.cli(Map.of(), "artifacts", "keygen", "--out", keys.toString()).status())
                .as("never overwrites a key").isEqualTo(2);
        String privateBase64 = Files.readString(privateKey).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");

        Path jar = dir.resolve("hardware-0.2.0.jar");
        Files.write(jar, Bundles.jar("io.edgeflow.facts.hardware", "0.2.0"));
        Run upload = admin("artifacts", "upload", jar.toString(), "--sign-key", privateKey.toString());
        assertThat(upload.status()).as(upload.toString()).isZero();
        String sha = upload.out().trim();
        assertThat(sha).isEqualTo(Bundles.sha256(Files.readAllBytes(jar)));
        assertThat(upload.err()).contains("io.edgeflow.facts.hardware 0.2.0");
        JsonNode artifact = cloud.admin("GET", "/api/v1/admin/artifacts/" + sha, null).body();
        JsonNode sig = artifact.path("signatures").get(0);
        assertThat(sig.path("public_key").asText()).isEqualTo(publicKey);
        assertThat(Bundles.verifies(publicKey, sig.path("signature").asText(), sha)).isTrue();

        Run release = admin("artifacts", "sign", sha, "--key", privateKey.toString());
        assertThat(release.status()).as(release.toString()).isZero();
        Run byRelease = admin("artifacts", "upload", jar.toString(), "--release-key");
        assertThat(byRelease.status()).as(byRelease.toString()).isZero();
        Run list = admin("artifacts", "list");
        assertThat(list.out()).contains(sha).contains("io.edgeflow.facts.hardware").contains(sig.path("key_id").asText())
                .contains(cloud.admin("GET", "/api/v1/admin/release-key", null).text("key_id"));
        for (Run r : List.of(keygen, upload, release, byRelease, list)) {
            assertThat(r.out() + r.err()).doesNotContain(privateBase64).doesNotContain("PRIVATE KEY");
        }

        String device = cloud.provisionDevice().text("device_id");
        Run create = admin("deployments", "create", "--artifact", sha, "--devices", device, "--waves", "1,100%",
                "--max-failures", "0");
        assertThat(create.status()).as(create.toString()).isZero();
        String id = create.out().trim();
        assertThat(id).startsWith("dep_");
        Run show = admin("deployments", "show", id);
        assertThat(show.out()).contains("Deployment " + id).contains("update " + sha).contains(device)
                .contains("pending");
        assertThat(admin("deployments", "list").out()).contains(id).contains("pending 1");
        Run inUse = admin("artifacts", "delete", sha);
        assertThat(inUse.status()).isEqualTo(1);
        assertThat(inUse.err()).contains("artifact_in_use (HTTP 409)");
        Run cancel = admin("deployments", "cancel", id);
        assertThat(cancel.status()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).contains("cancelled");
        Run delete = admin("artifacts", "delete", sha);
        assertThat(delete.status()).as(delete.toString()).isZero();
        assertThat(delete.out()).contains("Deleted " + sha);
    }

    @Test
    void mistakesAreExplained() {
        Run none = admin("deployments", "create", "--all");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("--artifact");
        Run both = admin("deployments", "create", "--artifact", "a".repeat(64), "--all", "--devices", "dev_x");
        assertThat(both.status()).isEqualTo(2);
        Run waves = admin("deployments", "create", "--artifact", "a".repeat(64), "--all", "--waves", "1,half");
        assertThat(waves.status()).isEqualTo(2);
        assertThat(waves.err()).contains("--waves");
        Run refused = admin("deployments", "create", "--artifact", "a".repeat(64), "--all");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("invalid_request");
        assertThat(admin("artifacts", "sign", "x.jar").err()).contains("--key");
        Run missing = admin("artifacts", "upload", dir.resolve("missing.jar").toString());
        assertThat(missing.status()).isEqualTo(3);
        assertThat(admin("artifacts").status()).isEqualTo(2);
        assertThat(admin("artifacts", "--help").out()).contains("upload").contains("keygen");
        assertThat(CliTest.cli(Map.of(), "--help").out()).contains("deployments create").contains("devices bundles");
    }

    @Test
    void bundlesAndConfigGoThroughTheTunnel() throws Exception {
        TestCloud.Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        String bundles = "{\"bundles\": [{\"id\": 7, \"symbolic_name\": \"io.edgeflow.facts.hardware\", \"version\":"
                + " \"0.2.0\", \"state\": \"ACTIVE\", \"start_level\": 20, \"edgeflow\": true, \"sha256\": \"abc\"}]}";
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            device.next("hello");
            List<JsonNode> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread answering = new Thread(() -> {
                try {
                    for (int i = 0; i < 2; i++) {
                        JsonNode request = device.next("request");
                        seen.add(request);
                        String body = request.path("path").asText().equals("/api/v1/bundles") ? bundles : "{}";
                        device.send("{\"type\": \"response\", \"id\": \"" + request.path("id").asText()
                                + "\", \"status\": 200, \"headers\": {\"content-type\": \"application/json\"},"
                                + " \"body\": \"" + Base64.getEncoder().encodeToString(body.getBytes()) + "\"}");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            answering.start();
            Run list = admin("devices", "bundles", id);
            Run set = admin("devices", "config", id, "io.edgeflow.facts", "interval_seconds=30", "label=line 3",
                    "enabled=true");
            answering.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(list.status()).as(list.toString()).isZero();
            assertThat(list.out()).contains("SYMBOLIC NAME").contains("io.edgeflow.facts.hardware").contains("ACTIVE");
            assertThat(set.status()).as(set.toString()).isZero();
            JsonNode put = seen.get(1);
            assertThat(put.path("method").asText()).isEqualTo("PUT");
            assertThat(put.path("path").asText()).isEqualTo("/api/v1/config/io.edgeflow.facts");
            JsonNode body = TestCloud.JSON.readTree(Base64.getDecoder().decode(put.path("body").asText()));
            assertThat(body.path("interval_seconds").isInt()).isTrue();
            assertThat(body.path("label").asText()).isEqualTo("line 3");
            assertThat(body.path("enabled").isBoolean()).isTrue();
        }
    }
}
