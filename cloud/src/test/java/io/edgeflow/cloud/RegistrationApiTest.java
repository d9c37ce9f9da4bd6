package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;

/** The registration contract of docs/protocol.md, over HTTPS against a running server. */
class RegistrationApiTest extends RunningCloud {
    @Test
    void aCodeRegistersADeviceWithAKeyThatIsShownOnce() throws Exception {
        String code = cloud.createCode();
        Instant now = cloud.clock.instant();
        Answer a = cloud.register(code);

        assertThat(a.status()).isEqualTo(201);
        assertThat(a.text("device_id")).matches("dev_[0-9a-z]{20}");
        assertThat(a.text("api_key")).matches("efk_[0-9a-z]{52}");
        Instant expires = Instant.parse(a.text("expires_at"));
        assertThat(Duration.between(now, expires).toDays()).isEqualTo(365);
        assertThat(Instant.parse(a.text("confirm_by"))).isEqualTo(now.plus(Duration.ofMinutes(10)));
        assertThat(a.raw().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        assertThat(a.raw().headers().firstValue("Date")).as("devices read the cloud's time from Date").isPresent();

        // the admin view shows the facts and the key masked, never whole
        Answer device = cloud.admin("GET", "/api/v1/admin/devices/" + a.text("device_id"), null);
        assertThat(device.status()).isEqualTo(200);
        assertThat(device.text("status")).isEqualTo("pending");
        assertThat(device.body().path("hardware").path("board_model").asText()).isEqualTo(
                "Raspberry Pi 4 Model B Rev 1.4");
        assertThat(device.body().path("network").path("hostname").asText()).isEqualTo("edgeflow-pi-001");
        assertThat(device.body().toString()).doesNotContain(a.text("api_key"))
                .contains("efk_…" + a.text("api_key").substring(52));
        assertThat(device.text("code")).isEqualTo("PROV-****-" + code.substring(10));
    }

    @Test
    void theCodeIsAcceptedInLowerCaseAndWithoutDashes() throws Exception {
        String code = cloud.createCode();
        assertThat(cloud.register(code.toLowerCase()).status()).isEqualTo(201);
        String other = cloud.createCode();
        assertThat(cloud.register(other.replace("-", "")).status()).isEqualTo(201);
        String third = cloud.createCode();
        assertThat(cloud.register(third.substring(5).replace("-", "").toLowerCase()).status()).isEqualTo(201);
    }

    @Test
    void confirmationConsumesTheCodeForEver() throws Exception {
        String code = cloud.createCode();
        String requestId = UUID.randomUUID().toString();
        Answer a = cloud.register(code, requestId);
        Answer c = cloud.confirm(a.text("device_id"), a.text("api_key"));
        assertThat(c.status()).isEqualTo(200);
        assertThat(c.text("status")).isEqualTo("active");
        assertThat(c.text("confirmed_at")).isNotNull();
        // idempotent
        assertThat(cloud.confirm(a.text("device_id"), a.text("api_key")).status()).isEqualTo(200);

        Answer again = cloud.register(code, requestId);
        assertThat(again.status()).isEqualTo(410);
        assertThat(again.error()).isEqualTo("code_consumed");
        Answer other = cloud.register(code);
        assertThat(other.status()).isEqualTo(410);
        assertThat(other.error()).isEqualTo("code_consumed");
        // still consumed after the TTL and the grace period
        cloud.clock.advance(Duration.ofDays(2));
        assertThat(cloud.register(code, requestId).error()).isEqualTo("code_consumed");

        Answer device = cloud.admin("GET", "/api/v1/admin/devices/" + a.text("device_id"), null);
        assertThat(device.text("status")).isEqualTo("active");
        assertThat(device.text("confirmed_at")).isNotNull();
        assertThat(device.text("key_expires_at")).isEqualTo(a.text("expires_at"));
    }

    @Test
    void aRetryWithTheSameRequestIdGetsAFreshKeyForTheSameDevice() throws Exception {
        String code = cloud.createCode();
        String requestId = UUID.randomUUID().toString();
        Answer first = cloud.register(code, requestId);
        Answer retry = cloud.register(code, requestId.toUpperCase());

        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.text("device_id")).isEqualTo(first.text("device_id"));
        assertThat(retry.text("api_key")).isNotEqualTo(first.text("api_key"));

        Answer stale = cloud.confirm(first.text("device_id"), first.text("api_key"));
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.error()).isEqualTo("invalid_credentials");
        assertThat(cloud.confirm(retry.text("device_id"), retry.text("api_key")).status()).isEqualTo(200);
    }

    @Test
    void anotherRequestIdIsToldTheCodeIsInUse() throws Exception {
        String code = cloud.createCode();
        assertThat(cloud.register(code).status()).isEqualTo(201);
        Answer other = cloud.register(code);
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.error()).isEqualTo("code_in_use");
        assertThat(other.text("message")).doesNotContain(code);
    }

    @Test
    void anUnknownCodeIsInvalid() throws Exception {
        Answer a = cloud.register("PROV-0000-0000");
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.error()).isEqualTo("code_invalid");
        assertThat(a.text("message")).isNotBlank();
    }

    @Test
    void anExpiredCodeIsGone() throws Exception {
        String code = cloud.createCode(60L, null);
        cloud.clock.advance(Duration.ofSeconds(61));
        Answer a = cloud.register(code);
        assertThat(a.status()).isEqualTo(410);
        assertThat(a.error()).isEqualTo("code_expired");
    }

    @Test
    void aRevokedCodeIsGone() throws Exception {
        String code = cloud.createCode();
        String id = idOf(code);
        assertThat(cloud.admin("DELETE", "/api/v1/admin/provisioning-codes/" + id, null).status()).isEqualTo(200);
        Answer a = cloud.register(code);
        assertThat(a.status()).isEqualTo(410);
        assertThat(a.error()).isEqualTo("code_revoked");
    }

    @Test
    void malformedRequestsNameTheField() throws Exception {
        String code = cloud.createCode();
        Map<String, Object> noCode = TestCloud.registration(code, UUID.randomUUID().toString());
        noCode.remove("provisioning_code");
        expectInvalid(noCode, "provisioning_code");

        Map<String, Object> badShape = TestCloud.registration("PROV-12", UUID.randomUUID().toString());
        expectInvalid(badShape, "provisioning_code");

        Map<String, Object> numberCode = TestCloud.registration(code, UUID.randomUUID().toString());
        numberCode.put("provisioning_code", 12345678);
        expectInvalid(numberCode, "provisioning_code");

        Map<String, Object> noRequestId = TestCloud.registration(code, null);
        noRequestId.remove("request_id");
        expectInvalid(noRequestId, "request_id");

        expectInvalid(TestCloud.registration(code, "not-a-uuid"), "request_id");

        Map<String, Object> hardware = TestCloud.registration(code, UUID.randomUUID().toString());
        hardware.put("hardware", "a Raspberry Pi");
        expectInvalid(hardware, "hardware");

        Map<String, Object> network = TestCloud.registration(code, UUID.randomUUID().toString());
        network.put("network", new int[] {1, 2});
        expectInvalid(network, "network");

        Answer notJson = cloud.call("POST", "/api/v1/devices/register", "{\"provisioning_code\": ", null);
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.error()).isEqualTo("invalid_request");
        assertThat(notJson.text("message")).contains("JSON");

        Answer empty = cloud.call("POST", "/api/v1/devices/register", null, null);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.error()).isEqualTo("invalid_request");

        Answer array = cloud.call("POST", "/api/v1/devices/register", "[1]", null);
        assertThat(array.status()).isEqualTo(400);

        // none of these touched the code
        assertThat(cloud.register(code).status()).isEqualTo(201);
    }

    @Test
    void facts_thatAreTooLargeAreRefused() throws Exception {
        String code = cloud.createCode();
        Map<String, Object> body = TestCloud.registration(code, UUID.randomUUID().toString());
        body.put("hardware", Map.of("model", "x".repeat(9000)));
        expectInvalid(body, "hardware");
        Map<String, Object> huge = new LinkedHashMap<>(body);
        huge.put("hardware", Map.of("model", "x".repeat(20_000)));
        Answer a = cloud.call("POST", "/api/v1/devices/register", huge, null);
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.error()).isEqualTo("invalid_request");
    }

    @Test
    void confirmationNeedsTheDevicesOwnKey() throws Exception {
        Answer one = cloud.register(cloud.createCode());
        Answer two = cloud.register(cloud.createCode());
        String dev = one.text("device_id");

        Answer noHeader = cloud.confirm(dev, null);
        assertThat(noHeader.status()).isEqualTo(401);
        assertThat(noHeader.error()).isEqualTo("invalid_credentials");
        assertThat(noHeader.raw().headers().firstValue("WWW-Authenticate")).isPresent();

        assertThat(cloud.confirm(dev, "efk_" + "0".repeat(52)).error()).isEqualTo("invalid_credentials");
        assertThat(cloud.confirm(dev, two.text("api_key")).error()).as("another device's key")
                .isEqualTo("invalid_credentials");
        assertThat(cloud.confirm("dev_doesnotexist0000000", one.text("api_key")).error())
                .isEqualTo("invalid_credentials");
        assertThat(cloud.confirm(dev, cloud.adminToken).error()).as("the admin token is no device key")
                .isEqualTo("invalid_credentials");
        assertThat(cloud.confirm(dev, one.text("api_key")).status()).isEqualTo(200);
    }

    @Test
    void aDeviceCanCheckItsOwnKey() throws Exception {
        Answer a = cloud.provisionDevice();
        Answer self = cloud.call("GET", "/api/v1/devices/" + a.text("device_id"), null, a.text("api_key"));
        assertThat(self.status()).isEqualTo(200);
        assertThat(self.text("status")).isEqualTo("active");
        assertThat(self.text("key_status")).isEqualTo("active");
        assertThat(self.text("expires_at")).isEqualTo(a.text("expires_at"));
        assertThat(cloud.call("GET", "/api/v1/devices/" + a.text("device_id"), null, null).status()).isEqualTo(401);
    }

    @Test
    void unknownEndpointsAndMethodsAnswerJson() throws Exception {
        Answer missing = cloud.call("GET", "/api/v1/nothing", null, null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("not_found");
        Answer method = cloud.call("PUT", "/api/v1/devices/register", null, null);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.error()).isEqualTo("method_not_allowed");
        assertThat(method.raw().headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("POST"));
        Answer type = cloud.call("POST", "/api/v1/devices/register", null, null);
        assertThat(type.status()).isEqualTo(400);
    }

    private static void expectInvalid(Map<String, Object> body, String field) throws Exception {
        Answer a = cloud.call("POST", "/api/v1/devices/register", body, null);
        assertThat(a.status()).as(field + ": " + a).isEqualTo(400);
        assertThat(a.error()).isEqualTo("invalid_request");
        assertThat(a.text("message")).as("names the field").contains("'" + field + "'");
    }

    static String idOf(String code) throws Exception {
        JsonNode list = cloud.admin("GET", "/api/v1/admin/provisioning-codes?limit=1000", null).body();
        for (JsonNode c : list.path("provisioning_codes")) {
            if (c.path("code").asText().equals("PROV-****-" + code.substring(10))) {
                return c.path("id").asText();
            }
        }
        throw new AssertionError("code not listed");
    }
}
