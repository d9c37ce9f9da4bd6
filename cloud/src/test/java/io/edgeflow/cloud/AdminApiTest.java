package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.provisioning.CloudSettings;

/** The admin API: provisioning codes, devices, the audit trail, and its authentication. */
class AdminApiTest {
    @TempDir
    static Path dir;
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(dir.resolve("data"),
                CloudSettings.DEFAULTS.withCodeTtl(Duration.ofHours(2), Duration.ofDays(7)));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void creatingACodeAnswersItOnceWithItsExpiryAndLabel() throws Exception {
        Instant now = cloud.clock.instant();
        Answer a = cloud.admin("POST", "/api/v1/admin/provisioning-codes", Map.of("ttl_seconds", 86400, "label", "line 3"));
        assertThat(a.status()).isEqualTo(201);
        assertThat(a.text("code")).matches("PROV-[0-9A-Z]{4}-[0-9A-Z]{4}");
        assertThat(a.text("label")).isEqualTo("line 3");
        assertThat(a.text("id")).startsWith("pc_");
        assertThat(Instant.parse(a.text("expires_at"))).isEqualTo(now.plus(Duration.ofDays(1)));

        Answer defaults = cloud.admin("POST", "/api/v1/admin/provisioning-codes", null);
        assertThat(defaults.status()).isEqualTo(201);
        assertThat(Instant.parse(defaults.text("expires_at"))).as("server's default TTL")
                .isEqualTo(now.plus(Duration.ofHours(2)));

        Answer listed = cloud.admin("GET", "/api/v1/admin/provisioning-codes/" + a.text("id"), null);
        assertThat(listed.text("code")).isEqualTo("PROV-****-" + a.text("code").substring(10));
        assertThat(listed.body().toString()).doesNotContain(a.text("code"));
    }

    @Test
    void ttlAndLabelAreChecked() throws Exception {
        for (Object ttl : List.of(0, -5, 7 * 86400 + 1, "1h", 1.5)) {
            Answer a = cloud.admin("POST", "/api/v1/admin/provisioning-codes", Map.of("ttl_seconds", ttl));
            assertThat(a.status()).as("ttl " + ttl).isEqualTo(400);
            assertThat(a.error()).isEqualTo("invalid_request");
            assertThat(a.text("message")).contains("'ttl_seconds'");
        }
        assertThat(cloud.admin("POST", "/api/v1/admin/provisioning-codes", Map.of("ttl_seconds", 7 * 86400)).status())
                .as("the maximum itself").isEqualTo(201);
        Answer label = cloud.admin("POST", "/api/v1/admin/provisioning-codes", Map.of("label", "x".repeat(201)));
        assertThat(label.status()).isEqualTo(400);
        assertThat(label.text("message")).contains("'label'");
    }

    @Test
    void theListShowsEveryStateMasked() throws Exception {
        String active = cloud.createCode(null, "active one");
        String claimed = cloud.createCode(null, "claimed one");
        cloud.register(claimed);
        String consumed = cloud.createCode(null, "consumed one");
        Answer device = cloud.register(consumed);
        cloud.confirm(device.text("device_id"), device.text("api_key"));
        String revoked = cloud.createCode(null, "revoked one");
        String expired = cloud.createCode(60L, "expired one");
        Answer list = cloud.admin("GET", "/api/v1/admin/provisioning-codes", null);
        String revokedId = null;
        for (JsonNode c : list.body().path("provisioning_codes")) {
            if (c.path("label").asText().equals("revoked one")) {
                revokedId = c.path("id").asText();
            }
        }
        assertThat(cloud.admin("DELETE", "/api/v1/admin/provisioning-codes/" + revokedId, null).text("state"))
                .isEqualTo("revoked");
        cloud.clock.advance(Duration.ofSeconds(61));

        list = cloud.admin("GET", "/api/v1/admin/provisioning-codes", null);
        Map<String, String> states = new HashMap<>();
        for (JsonNode c : list.body().path("provisioning_codes")) {
            states.put(c.path("label").asText(), c.path("state").asText());
            assertThat(c.path("code").asText()).matches("PROV-\\*\\*\\*\\*-[0-9A-Z]{4}");
        }
        assertThat(states).containsEntry("active one", "active").containsEntry("claimed one", "claimed")
                .containsEntry("consumed one", "consumed").containsEntry("revoked one", "revoked")
                .containsEntry("expired one", "expired");
        String text = list.body().toString();
        for (String code : List.of(active, claimed, consumed, revoked, expired)) {
            assertThat(text).doesNotContain(code).doesNotContain(code.substring(5, 9) + "-" + code.substring(10));
        }

        Answer onlyActive = cloud.admin("GET", "/api/v1/admin/provisioning-codes?state=active", null);
        for (JsonNode c : onlyActive.body().path("provisioning_codes")) {
            assertThat(c.path("state").asText()).isEqualTo("active");
        }
        JsonNode consumedView = find(list.body().path("provisioning_codes"), "consumed one");
        assertThat(consumedView.path("device_id").asText()).isEqualTo(device.text("device_id"));
        assertThat(consumedView.path("consumed_at").isNull()).isFalse();
    }

    @Test
    void revokingAConsumedCodeIsRefusedAndUnknownCodesAre404() throws Exception {
        String code = cloud.createCode(null, "used up");
        Answer device = cloud.register(code);
        cloud.confirm(device.text("device_id"), device.text("api_key"));
        String id = find(cloud.admin("GET", "/api/v1/admin/provisioning-codes", null).body()
                .path("provisioning_codes"), "used up").path("id").asText();
        Answer refused = cloud.admin("DELETE", "/api/v1/admin/provisioning-codes/" + id, null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.error()).isEqualTo("code_consumed");
        assertThat(cloud.admin("DELETE", "/api/v1/admin/provisioning-codes/pc_nonesuch", null).status())
                .isEqualTo(404);
        assertThat(cloud.admin("GET", "/api/v1/admin/provisioning-codes/pc_nonesuch", null).error())
                .isEqualTo("not_found");
    }

    @Test
    void adminCallsNeedTheAdminToken() throws Exception {
        for (String[] call : new String[][] {{"GET", "/api/v1/admin/provisioning-codes"},
            {"POST", "/api/v1/admin/provisioning-codes"}, {"DELETE", "/api/v1/admin/provisioning-codes/pc_x"},
            {"GET", "/api/v1/admin/devices"}, {"GET", "/api/v1/admin/devices/dev_x"},
            {"DELETE", "/api/v1/admin/devices/dev_x"}, {"GET", "/api/v1/admin/audit"}}) {
            for (String token : new String[] {null, "efa_" + "0".repeat(52), cloud.adminToken + "x",
                cloud.adminToken.substring(0, 20)}) {
                Answer a = cloud.call(call[0], call[1], null, token);
                assertThat(a.status()).as(call[0] + " " + call[1] + " with " + token).isEqualTo(401);
                assertThat(a.error()).isEqualTo("invalid_credentials");
            }
        }
        Answer device = cloud.provisionDevice();
        assertThat(cloud.call("GET", "/api/v1/admin/devices", null, device.text("api_key")).status())
                .as("a device key is no admin token").isEqualTo(401);
        assertThat(cloud.call("GET", "/api/v1/admin/devices", null, cloud.adminToken).status()).isEqualTo(200);
    }

    @Test
    void devicesAreListedWithTheirFactsAndTimes() throws Exception {
        Answer device = cloud.provisionDevice();
        Answer list = cloud.admin("GET", "/api/v1/admin/devices", null);
        JsonNode d = null;
        for (JsonNode candidate : list.body().path("devices")) {
            if (candidate.path("device_id").asText().equals(device.text("device_id"))) {
                d = candidate;
            }
        }
        assertThat(d).isNotNull();
        assertThat(d.path("status").asText()).isEqualTo("active");
        assertThat(d.path("provisioned_at").asText()).isNotEmpty();
        assertThat(d.path("confirmed_at").asText()).isNotEmpty();
        assertThat(d.path("key_expires_at").asText()).isEqualTo(device.text("expires_at"));
        assertThat(d.path("hardware").path("kernel").asText()).isEqualTo("6.1.0-rpi7-rpi-2712");
        assertThat(d.path("network").path("mac_address").asText()).isEqualTo("dc:a6:32:01:02:03");
        assertThat(d.path("source_address").asText()).isEqualTo("127.0.0.1");
        assertThat(d.path("keys").get(0).path("key").asText()).matches("efk_…[0-9a-z]{4}");
        assertThat(list.body().toString()).doesNotContain(device.text("api_key"));
    }

    @Test
    void theAuditTrailRecordsEveryStepWithoutSecrets() throws Exception {
        Answer created = cloud.admin("POST", "/api/v1/admin/provisioning-codes", Map.of("label", "audited"));
        String code = created.text("code");
        String masked = "PROV-****-" + code.substring(10);
        cloud.register("PROV-ZZZZ-ZZZ1"); // a wrong code
        Answer first = cloud.register(code);
        cloud.register(code); // code_in_use
        String dev = first.text("device_id");
        cloud.confirm(dev, first.text("api_key"));
        Answer rotated = cloud.call("POST", "/api/v1/devices/" + dev + "/rotate-key", null, first.text("api_key"));
        cloud.admin("DELETE", "/api/v1/admin/devices/" + dev, null);
        String revokedCode = cloud.createCode(null, "to revoke");
        String revokedId = find(cloud.admin("GET", "/api/v1/admin/provisioning-codes", null).body()
                .path("provisioning_codes"), "to revoke").path("id").asText();
        cloud.admin("DELETE", "/api/v1/admin/provisioning-codes/" + revokedId, null);

        Answer audit = cloud.admin("GET", "/api/v1/admin/audit?limit=12", null);
        assertThat(audit.status()).isEqualTo(200);
        List<String> lines = new java.util.ArrayList<>();
        for (JsonNode e : audit.body().path("events")) {
            lines.add(e.path("event").asText() + " " + e.path("result").asText() + " " + e.path("code").asText("-")
                    + " " + e.path("device_id").asText("-") + " " + e.path("source_address").asText("-"));
        }
        java.util.Collections.reverse(lines);
        assertThat(lines).containsSubsequence(
                "code_created ok " + masked + " - 127.0.0.1",
                "registration code_invalid PROV-****-ZZZ1 - 127.0.0.1",
                "registration ok " + masked + " " + dev + " 127.0.0.1",
                "registration code_in_use " + masked + " - 127.0.0.1",
                "confirmation ok " + masked + " " + dev + " 127.0.0.1",
                "key_rotation ok - " + dev + " 127.0.0.1",
                "device_revoked ok - " + dev + " 127.0.0.1",
                "code_revoked ok PROV-****-" + revokedCode.substring(10) + " - 127.0.0.1");
        String all = cloud.admin("GET", "/api/v1/admin/audit?limit=1000", null).body().toString();
        assertThat(all).doesNotContain(code).doesNotContain(first.text("api_key"))
                .doesNotContain(rotated.text("api_key")).doesNotContain(cloud.adminToken)
                .doesNotContain(revokedCode);

        // paging
        long newest = audit.body().path("events").get(0).path("id").asLong();
        Answer older = cloud.admin("GET", "/api/v1/admin/audit?limit=2&before=" + newest, null);
        assertThat(older.body().path("events")).hasSize(2);
        assertThat(older.body().path("events").get(0).path("id").asLong()).isEqualTo(newest - 1);
        assertThat(cloud.admin("GET", "/api/v1/admin/audit?limit=0", null).error()).isEqualTo("invalid_request");
    }

    private static JsonNode find(JsonNode codes, String label) {
        for (JsonNode c : codes) {
            if (c.path("label").asText().equals(label)) {
                return c;
            }
        }
        throw new AssertionError("no code labelled " + label);
    }
}
