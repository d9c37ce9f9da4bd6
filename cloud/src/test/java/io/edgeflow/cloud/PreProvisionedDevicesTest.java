package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.provisioning.CloudSettings;

/**
 * {@code POST /api/v1/admin/devices}: devices an administrator creates with their credentials (the product
 * documentation's pre-provisioned credentials), pending until the device first uses its key.
 */
class PreProvisionedDevicesTest {
    private static final String DEVICES = "/api/v1/admin/devices";

    @TempDir
    static Path dir;
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(dir.resolve("data"), CloudSettings.DEFAULTS.withCodeTtl(Duration.ofHours(2),
                Duration.ofDays(7)));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static Answer create(Object body) throws Exception {
        return cloud.admin("POST", DEVICES, body);
    }

    @Test
    void creationAnswersTheIdTheKeyAndTheEnvFileOnce() throws Exception {
        Instant now = cloud.clock.instant();
        Answer a = create(Map.of("label", "line 3, gateway 2", "api_key_ttl_seconds", 86400));
        assertThat(a.status()).as(a.toString()).isEqualTo(201);
        String id = a.text("device_id");
        String key = a.text("api_key");
        assertThat(id).matches("dev_[0-9a-z]{20}");
        assertThat(key).startsWith("efk_").hasSizeGreaterThan(40);
        assertThat(a.text("status")).isEqualTo("pending");
        assertThat(a.text("label")).isEqualTo("line 3, gateway 2");
        assertThat(Instant.parse(a.text("expires_at"))).isEqualTo(now.plus(Duration.ofDays(1)));
        assertThat(a.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
        String port = cloud.url().substring(cloud.url().lastIndexOf(':') + 1);
        assertThat(a.text("env_file")).isEqualTo("# /etc/edgeflow/.env\n"
                + "EDGEFLOW_SAAS_ENABLED=true\n"
                + "EDGEFLOW_SAAS_URL=127.0.0.1:" + port + "\n"
                + "EDGEFLOW_DEVICE_ID=" + id + "\n"
                + "EDGEFLOW_API_KEY=" + key + "\n"
                + "EDGEFLOW_SAAS_CA_FILE=" + cloud.dataDir.resolve("ca.pem").toAbsolutePath() + "\n");

        Answer defaults = create(null);
        assertThat(defaults.status()).isEqualTo(201);
        assertThat(Instant.parse(defaults.text("expires_at"))).as("the server's key lifetime")
                .isEqualTo(now.plus(CloudSettings.DEFAULTS.keyLifetime()));
        assertThat(defaults.text("label")).isNull();
        assertThat(defaults.text("device_id")).isNotEqualTo(id);
        assertThat(create("{}").status()).as("an empty object").isEqualTo(201);
    }

    @Test
    void theDeviceIsListedPendingWithoutFactsAndTheKeyIsNeverShownAgain() throws Exception {
        Answer a = create(Map.of("label", "shown once"));
        String id = a.text("device_id");
        String key = a.text("api_key");

        Answer shown = cloud.admin("GET", DEVICES + "/" + id, null);
        assertThat(shown.status()).isEqualTo(200);
        JsonNode d = shown.body();
        assertThat(d.path("status").asText()).isEqualTo("pending");
        assertThat(d.path("pre_provisioned").asBoolean()).isTrue();
        assertThat(d.path("online").asBoolean()).isFalse();
        assertThat(d.path("hardware").size()).isZero();
        assertThat(d.path("network").size()).isZero();
        assertThat(d.path("code_id").isNull()).as("no provisioning code").isTrue();
        assertThat(d.path("request_id").isNull()).isTrue();
        assertThat(d.path("confirmed_at").isNull()).isTrue();
        assertThat(d.path("key_expires_at").asText()).isEqualTo(a.text("expires_at"));
        assertThat(d.path("keys")).hasSize(1);
        assertThat(d.path("keys").get(0).path("key").asText()).isEqualTo("efk_…" + key.substring(key.length() - 4));
        assertThat(d.path("keys").get(0).path("status").asText()).isEqualTo("pending");
        assertThat(d.path("keys").get(0).path("usable").asBoolean()).isTrue();

        List<String> everything = new ArrayList<>();
        everything.add(shown.body().toString());
        everything.add(cloud.admin("GET", DEVICES + "?limit=1000", null).body().toString());
        everything.add(cloud.admin("GET", "/api/v1/admin/audit?limit=1000", null).body().toString());
        for (String text : everything) {
            assertThat(text).doesNotContain(key);
        }
        JsonNode listed = find(cloud.admin("GET", DEVICES + "?limit=1000", null).body().path("devices"), id);
        assertThat(listed.path("status").asText()).isEqualTo("pending");
        assertThat(listed.path("pre_provisioned").asBoolean()).isTrue();
    }

    @Test
    void onlyTheKeysSha256IsStored() throws Exception {
        Answer a = create(Map.of("label", "hashed"));
        String id = a.text("device_id");
        String key = a.text("api_key");
        try (Connection c = PostgresServer.connectToStore(cloud.dataDir);
                PreparedStatement s = c.prepareStatement("SELECT key_hash, key_hint FROM api_keys WHERE device_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString("key_hash")).isEqualTo(Hashes.sha256(key));
                assertThat(r.getString("key_hint")).isEqualTo(key.substring(key.length() - 4));
                assertThat(r.next()).as("one key").isFalse();
            }
            try (PreparedStatement d = c.prepareStatement("SELECT status, hardware, network FROM devices WHERE id = ?")) {
                d.setString(1, id);
                try (ResultSet r = d.executeQuery()) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.getString("status")).isEqualTo("pending");
                    assertThat(r.getString("hardware")).isNull();
                    assertThat(r.getString("network")).isNull();
                }
            }
        }
        // nowhere in the data directory (the database, its write-ahead log, any other file) is the key itself
        byte[] needle = key.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(cloud.dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(indexOf(Files.readAllBytes(f), needle)).as(f.toString()).isEqualTo(-1);
            }
        }
    }

    @Test
    void badFieldsAreRefusedNamingTheField() throws Exception {
        long max = CloudSettings.DEFAULTS.keyLifetime().toSeconds();
        for (Object ttl : List.of(0, -5, max + 1, "365d", 1.5, true)) {
            Answer a = create(Map.of("api_key_ttl_seconds", ttl));
            assertThat(a.status()).as("ttl " + ttl).isEqualTo(400);
            assertThat(a.error()).isEqualTo("invalid_request");
            assertThat(a.text("message")).contains("'api_key_ttl_seconds'");
        }
        assertThat(create(Map.of("api_key_ttl_seconds", max)).status()).as("the maximum itself").isEqualTo(201);
        for (Object label : List.of("x".repeat(201), "two\nlines", 42, List.of("a"))) {
            Answer a = create(Map.of("label", label));
            assertThat(a.status()).as("label " + label).isEqualTo(400);
            assertThat(a.text("message")).contains("'label'");
        }
        assertThat(create(Map.of("label", "x".repeat(200))).status()).isEqualTo(201);
        for (String body : List.of("[1]", "not json", "\"text\"", "{\"label\": ")) {
            Answer a = create(body);
            assertThat(a.status()).as(body).isEqualTo(400);
            assertThat(a.error()).isEqualTo("invalid_request");
        }
    }

    @Test
    void creationNeedsTheAdminToken() throws Exception {
        int before = cloud.admin("GET", DEVICES + "?limit=1000", null).body().path("devices").size();
        for (String token : new String[] {null, "efa_wrong", cloud.adminToken + "x"}) {
            Answer a = cloud.call("POST", DEVICES, Map.of("label", "intruder"), token);
            assertThat(a.status()).as("token " + token).isEqualTo(401);
            assertThat(a.error()).isEqualTo("invalid_credentials");
            assertThat(a.body().has("api_key")).isFalse();
        }
        assertThat(cloud.admin("GET", DEVICES + "?limit=1000", null).body().path("devices").size()).isEqualTo(before);
    }

    @Test
    void theFirstConfirmationActivatesWithTheReportedFactsAndIsAudited() throws Exception {
        Answer a = create(Map.of("label", "activated by confirm"));
        String id = a.text("device_id");
        String key = a.text("api_key");

        Answer wrong = cloud.call("POST", "/api/v1/devices/" + id + "/confirm", "{}", "efk_" + "x".repeat(52));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(status(id)).as("a wrong key changes nothing").isEqualTo("pending");

        Map<String, Object> facts = TestCloud.registration("PROV-0000-0000", "x");
        facts.keySet().retainAll(List.of("hardware", "network"));
        Answer confirmed = cloud.call("POST", "/api/v1/devices/" + id + "/confirm", facts, key);
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(confirmed.text("status")).isEqualTo("active");

        JsonNode d = cloud.admin("GET", DEVICES + "/" + id, null).body();
        assertThat(d.path("status").asText()).isEqualTo("active");
        assertThat(d.path("confirmed_at").asText())
                .isEqualTo(cloud.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        assertThat(d.path("hardware").path("board_model").asText()).isEqualTo("Raspberry Pi 4 Model B Rev 1.4");
        assertThat(d.path("network").path("hostname").asText()).isEqualTo("edgeflow-pi-001");
        assertThat(d.path("source_address").asText()).isEqualTo("127.0.0.1");
        assertThat(d.path("keys").get(0).path("status").asText()).isEqualTo("active");

        assertThat(cloud.call("POST", "/api/v1/devices/" + id + "/confirm", "{}", key).status())
                .as("idempotent").isEqualTo(200);
        List<JsonNode> events = events(id);
        // newest first: the refused wrong key is a confirmation event too
        assertThat(events).extracting(e -> e.path("event").asText() + " " + e.path("result").asText())
                .containsExactly("device_activated ok", "confirmation invalid_credentials", "device_created ok");
        assertThat(events.get(0).path("detail").asText()).contains("first time").contains("facts reported");
        assertThat(events.get(2).path("detail").asText()).contains("label \"activated by confirm\"")
                .contains("efk_…" + key.substring(key.length() - 4));
        assertThat(events.get(2).path("code_id").isNull()).isTrue();
    }

    @Test
    void factsInAConfirmationAreCheckedAndKeptOnlyForAPreProvisionedDevice() throws Exception {
        Answer a = create(null);
        String id = a.text("device_id");
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("hardware", "a board"),
                Map.<String, Object>of("network", List.of("eth0")),
                Map.<String, Object>of("hardware", Map.of("board_model", "x".repeat(9000))))) {
            Answer refused = cloud.call("POST", "/api/v1/devices/" + id + "/confirm", bad, a.text("api_key"));
            assertThat(refused.status()).as(bad.keySet().toString()).isEqualTo(400);
            assertThat(refused.text("message")).contains("'" + bad.keySet().iterator().next() + "'");
        }
        assertThat(status(id)).as("a refused body changes nothing").isEqualTo("pending");

        // a device registered with a code keeps the facts of its registration
        Answer registered = cloud.register(cloud.createCode());
        Answer confirmed = cloud.call("POST", "/api/v1/devices/" + registered.text("device_id") + "/confirm",
                Map.of("network", Map.of("hostname", "someone-else")), registered.text("api_key"));
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(cloud.admin("GET", DEVICES + "/" + registered.text("device_id"), null).body().path("network")
                .path("hostname").asText()).isEqualTo("edgeflow-pi-001");
        assertThat(cloud.admin("GET", DEVICES + "/" + registered.text("device_id"), null).body()
                .path("pre_provisioned").asBoolean()).isFalse();
    }

    @Test
    void theTunnelActivatesTheDeviceAndShowsItOnline() throws Exception {
        Answer a = create(null);
        String id = a.text("device_id");
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, a.text("api_key"))) {
            device.next("hello");
            JsonNode d = cloud.admin("GET", DEVICES + "/" + id, null).body();
            assertThat(d.path("status").asText()).isEqualTo("active");
            assertThat(d.path("online").asBoolean()).isTrue();
            assertThat(d.path("hardware").size()).as("the tunnel carries no facts").isZero();
        }
        assertThat(events(id)).extracting(e -> e.path("event").asText()).contains("device_activated");
    }

    @Test
    void anyAuthenticatedCallActivatesTheDevice() throws Exception {
        Answer a = create(null);
        String id = a.text("device_id");
        Answer self = cloud.call("GET", "/api/v1/devices/" + id, null, a.text("api_key"));
        assertThat(self.status()).isEqualTo(200);
        assertThat(self.text("status")).isEqualTo("active");
        assertThat(status(id)).isEqualTo("active");
        assertThat(cloud.call("POST", "/api/v1/devices/" + id + "/rotate-key", "{}", a.text("api_key")).status())
                .as("an active device may rotate its key").isEqualTo(200);
    }

    @Test
    void revokingAPendingDeviceEndsItsKey() throws Exception {
        Answer a = create(Map.of("label", "to revoke"));
        String id = a.text("device_id");
        Answer revoked = cloud.admin("DELETE", DEVICES + "/" + id, null);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.body().path("status").asText()).isEqualTo("revoked");
        assertThat(revoked.body().path("key_expires_at").isNull()).isTrue();
        Answer refused = cloud.confirm(id, a.text("api_key"));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("message")).contains("revoked");
        assertThat(status(id)).isEqualTo("revoked");
        assertThat(events(id)).extracting(e -> e.path("event").asText() + " " + e.path("result").asText())
                .containsExactly("confirmation invalid_credentials", "device_revoked ok", "device_created ok");
    }

    @Test
    void aKeyPastItsTtlIsRefusedAndTheDeviceStaysPending() throws Exception {
        Answer a = create(Map.of("api_key_ttl_seconds", 60));
        cloud.clock.advance(Duration.ofSeconds(61));
        Answer late = cloud.confirm(a.text("device_id"), a.text("api_key"));
        assertThat(late.status()).isEqualTo(401);
        assertThat(late.text("message")).contains("expired");
        assertThat(status(a.text("device_id"))).isEqualTo("pending");
    }

    private static String status(String id) throws Exception {
        return cloud.admin("GET", DEVICES + "/" + id, null).body().path("status").asText();
    }

    /** @return the audit events of a device, newest first */
    private static List<JsonNode> events(String id) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode e : cloud.admin("GET", "/api/v1/admin/audit?limit=1000", null).body().path("events")) {
            if (id.equals(e.path("device_id").asText())) {
                events.add(e);
            }
        }
        return events;
    }

    private static JsonNode find(JsonNode devices, String id) {
        Map<String, JsonNode> byId = new HashMap<>();
        devices.forEach(d -> byId.put(d.path("device_id").asText(), d));
        assertThat(byId).containsKey(id);
        return byId.get(id);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
