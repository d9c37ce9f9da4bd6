package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.updates.UpdateSettings;

/** Artifacts, their signatures and the release key, through the admin API (docs/updates.md). */
class ArtifactsApiTest extends RunningCloud {
    private static final String ARTIFACTS = "/api/v1/admin/artifacts";

    @Test
    void aBundleIsStoredByItsSha256OnceAndDescribedFromItsManifest() throws Exception {
        byte[] jar = Bundles.jar("io.edgeflow.facts.hardware;singleton:=true", "0.2.0.beta-1");
        String sha = Bundles.sha256(jar);
        Answer first = cloud.upload(jar);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.text("sha256")).isEqualTo(sha);
        assertThat(first.text("symbolic_name")).isEqualTo("io.edgeflow.facts.hardware");
        assertThat(first.text("version")).isEqualTo("0.2.0.beta-1");
        assertThat(first.body().path("size").asLong()).isEqualTo(jar.length);
        assertThat(first.text("uploaded_at")).isEqualTo("2026-03-01T00:00:00Z");
        assertThat(first.body().path("signatures").isArray()).isTrue();
        Path stored = cloud.dataDir.resolve("artifacts").resolve(sha);
        assertThat(Files.readAllBytes(stored)).isEqualTo(jar);

        Answer again = cloud.upload(jar);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(cloud.admin("GET", ARTIFACTS + "/" + sha, null).body()).isEqualTo(first.body());
        List<String> listed = cloud.admin("GET", ARTIFACTS, null).body().path("artifacts").findValuesAsText("sha256");
        assertThat(listed).containsOnlyOnce(sha);
        try (var incoming = Files.list(cloud.dataDir.resolve("artifacts").resolve("incoming"))) {
            assertThat(incoming).as("no upload left behind").isEmpty();
        }
    }

    @Test
    void whatIsNotABundleIsRefusedAndNotStored() throws Exception {
        for (byte[] notABundle : List.of("just text".getBytes(), Bundles.jar(null, "1.0.0"),
                Bundles.jar("io.edgeflow.x", null), Bundles.jar("io.edgeflow.x", "1.0.0.bad qualifier"),
                Bundles.jar("io.edgeflow.x", "1.x"), Bundles.jar("io.edgeflow.x", "99999999999"))) {
            Answer a = cloud.upload(notABundle);
            assertThat(a.status()).as(a.toString()).isEqualTo(400);
            assertThat(a.error()).isEqualTo("not_a_bundle");
            assertThat(Files.exists(cloud.dataDir.resolve("artifacts").resolve(Bundles.sha256(notABundle)))).isFalse();
        }
        Answer type = cloud.upload(Bundles.jar("io.edgeflow.x", "1.0.0"), "text/plain");
        assertThat(type.status()).isEqualTo(415);
        Answer noToken = cloud.call("POST", ARTIFACTS, "x", null);
        assertThat(noToken.status()).isEqualTo(401);
    }

    @Test
    void aSignatureIsVerifiedBeforeItIsStored() throws Exception {
        byte[] jar = Bundles.jar("io.edgeflow.signed", "1.0.0");
        String sha = cloud.upload(jar).text("sha256");
        KeyPair publisher = Bundles.keyPair();
        String path = ARTIFACTS + "/" + sha + "/signatures";

        Answer wrong = cloud.admin("POST", path, Map.of("public_key", Bundles.publicKey(publisher), "signature",
                Bundles.sign(publisher, "0".repeat(64))));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.error()).isEqualTo("invalid_signature");
        Answer otherKey = cloud.admin("POST", path, Map.of("public_key", Bundles.publicKey(Bundles.keyPair()),
                "signature", Bundles.sign(publisher, sha)));
        assertThat(otherKey.error()).isEqualTo("invalid_signature");
        Answer notAKey = cloud.admin("POST", path, Map.of("public_key", "ed25519:AAAA", "signature", "AAAA"));
        assertThat(notAKey.status()).isEqualTo(400);
        assertThat(notAKey.error()).isEqualTo("invalid_request");
        assertThat(cloud.admin("GET", ARTIFACTS + "/" + sha, null).body().path("signatures")).isEmpty();

        Answer good = cloud.admin("POST", path, Map.of("public_key", Bundles.publicKey(publisher), "signature",
                Bundles.sign(publisher, sha)));
        assertThat(good.status()).as(good.toString()).isEqualTo(201);
        JsonNode sig = good.body().path("signatures").get(0);
        assertThat(sig.path("public_key").asText()).isEqualTo(Bundles.publicKey(publisher));
        assertThat(sig.path("key_id").asText()).matches("[0-9a-f]{16}")
                .isEqualTo(Bundles.sha256(publisher.getPublic().getEncoded()).substring(0, 16));
        assertThat(Bundles.verifies(sig.path("public_key").asText(), sig.path("signature").asText(), sha)).isTrue();
        assertThat(cloud.admin("POST", ARTIFACTS + "/" + "a".repeat(64) + "/signatures", Map.of("release_key", true))
                .status()).isEqualTo(404);
    }

    @Test
    void theReleaseKeyIsMadeOnFirstUseKeptPrivateAndNeverReturned() throws Exception {
        Answer key = cloud.admin("GET", "/api/v1/admin/release-key", null);
        assertThat(key.status()).isEqualTo(200);
        assertThat(key.text("public_key")).startsWith("ed25519:");
        Path file = cloud.dataDir.resolve("release-key.pem");
        assertThat(FilePermissions.mode(file)).isEqualTo("rw-------");
        assertThat(cloud.admin("GET", "/api/v1/admin/release-key", null).body()).isEqualTo(key.body());

        String sha = cloud.upload(Bundles.jar("io.edgeflow.demo", "1.0.0")).text("sha256");
        Answer signed = cloud.admin("POST", ARTIFACTS + "/" + sha + "/signatures", Map.of("release_key", true));
        assertThat(signed.status()).as(signed.toString()).isEqualTo(201);
        JsonNode sig = signed.body().path("signatures").get(0);
        assertThat(sig.path("key_id").asText()).isEqualTo(key.text("key_id"));
        assertThat(Bundles.verifies(key.text("public_key"), sig.path("signature").asText(), sha)).isTrue();
        String privatePem = Files.readString(file);
        String privateBase64 = privatePem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        assertThat(signed.raw().body() + key.raw().body()).doesNotContain("PRIVATE").doesNotContain(privateBase64);
        List<String> audit = cloud.admin("GET", "/api/v1/admin/audit", null).body().path("events")
                .findValuesAsText("event");
        assertThat(audit).contains("release_key_created", "artifact_signed", "artifact_uploaded");
    }

    @Test
    void anArtifactInUseCannotBeDeletedAndOneNotInUseIsGone() throws Exception {
        KeyPair publisher = Bundles.keyPair();
        String used = cloud.uploadSigned(Bundles.jar("io.edgeflow.used", "1.0.0"), publisher);
        String device = cloud.provisionDevice().text("device_id");
        Answer dep = cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations",
                List.of(Map.of("action", "update", "artifact", used)), "devices", List.of(device)));
        assertThat(dep.status()).as(dep.toString()).isEqualTo(201);
        Answer refused = cloud.admin("DELETE", ARTIFACTS + "/" + used, null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.error()).isEqualTo("artifact_in_use");
        assertThat(refused.text("message")).contains(dep.text("id"));
        assertThat(Files.exists(cloud.dataDir.resolve("artifacts").resolve(used))).isTrue();

        assertThat(cloud.admin("POST", "/api/v1/admin/deployments/" + dep.text("id") + "/cancel", null).status())
                .isEqualTo(200);
        assertThat(cloud.admin("DELETE", ARTIFACTS + "/" + used, null).status()).isEqualTo(200);
        assertThat(Files.exists(cloud.dataDir.resolve("artifacts").resolve(used))).isFalse();
        assertThat(cloud.admin("GET", ARTIFACTS + "/" + used, null).status()).isEqualTo(404);
        assertThat(cloud.admin("DELETE", ARTIFACTS + "/not-a-sha", null).status()).isEqualTo(404);
    }

    @Test
    void anUploadOverTheLimitIs413AndLeavesNothing() throws Exception {
        try (TestCloud small = new TestCloud(dir.resolve("small"), UpdateSettings.DEFAULTS.withMaxArtifactBytes(4096))) {
            Answer a = small.upload(Bundles.jar("io.edgeflow.big", "1.0.0", 64 * 1024));
            assertThat(a.status()).isEqualTo(413);
            assertThat(a.error()).isEqualTo("body_too_large");
            try (var files = Files.list(small.dataDir.resolve("artifacts"))) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("incoming");
            }
            assertThat(small.upload(Bundles.jar("io.edgeflow.small", "1.0.0", 100)).status()).isEqualTo(201);
        }
    }
}
