package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.TestCloud.Answer;

/** TTLs and the grace period of unconfirmed claims, with a clock the test moves instead of sleeping. */
class ClaimLapseAndExpiryTest extends RunningCloud {
    private static String stateOf(String code) throws Exception {
        String id = idOf(code);
        return cloud.admin("GET", "/api/v1/admin/provisioning-codes/" + id, null).text("state");
    }

    private static String idOf(String code) throws Exception {
        for (var c : cloud.admin("GET", "/api/v1/admin/provisioning-codes?limit=1000", null).body()
                .path("provisioning_codes")) {
            if (c.path("code").asText().endsWith(code.substring(10))) {
                return c.path("id").asText();
            }
        }
        throw new AssertionError("not listed");
    }

    @Test
    void anUnconfirmedClaimLapsesAfterTheGracePeriodAndFreesTheCode() throws Exception {
        String code = cloud.createCode();
        Answer first = cloud.register(code);
        assertThat(stateOf(code)).isEqualTo("claimed");
        assertThat(cloud.register(code).error()).isEqualTo("code_in_use");

        cloud.clock.advance(Duration.ofMinutes(9).plusSeconds(59));
        assertThat(cloud.register(code).error()).as("still within the grace period").isEqualTo("code_in_use");

        cloud.clock.advance(Duration.ofSeconds(1));
        assertThat(stateOf(code)).isEqualTo("active");
        Answer second = cloud.register(code);
        assertThat(second.status()).as("the code is free again").isEqualTo(201);
        assertThat(second.text("device_id")).isNotEqualTo(first.text("device_id"));

        Answer late = cloud.confirm(first.text("device_id"), first.text("api_key"));
        assertThat(late.status()).as("the lapsed claim's key no longer works").isEqualTo(401);
        assertThat(late.error()).isEqualTo("invalid_credentials");
        assertThat(cloud.admin("GET", "/api/v1/admin/devices/" + first.text("device_id"), null).text("status"))
                .isEqualTo("lapsed");
        assertThat(cloud.confirm(second.text("device_id"), second.text("api_key")).status()).isEqualTo(200);
        assertThat(stateOf(code)).isEqualTo("consumed");
    }

    @Test
    void aConfirmationAfterTheGracePeriodIsRefused() throws Exception {
        String code = cloud.createCode();
        Answer a = cloud.register(code);
        cloud.clock.advance(Duration.ofMinutes(10));
        Answer late = cloud.confirm(a.text("device_id"), a.text("api_key"));
        assertThat(late.status()).isEqualTo(401);
        assertThat(late.text("message")).contains("not confirmed in time");
        assertThat(stateOf(code)).isEqualTo("active");
    }

    @Test
    void aLapsedClaimRetriedWithTheSameRequestIdKeepsItsDeviceId() throws Exception {
        String code = cloud.createCode();
        String requestId = UUID.randomUUID().toString();
        Answer first = cloud.register(code, requestId);
        cloud.clock.advance(Duration.ofMinutes(30));
        Answer again = cloud.register(code, requestId);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.text("device_id")).isEqualTo(first.text("device_id"));
        assertThat(cloud.confirm(again.text("device_id"), again.text("api_key")).status()).isEqualTo(200);
    }

    @Test
    void aClaimHoldsTheCodePastItsTtlButALapseAfterTheTtlExpiresIt() throws Exception {
        String code = cloud.createCode(300L, "short");
        String requestId = UUID.randomUUID().toString();
        cloud.clock.advance(Duration.ofSeconds(295));
        Answer a = cloud.register(code, requestId);
        assertThat(a.status()).isEqualTo(201);

        cloud.clock.advance(Duration.ofSeconds(60)); // past the TTL, within the grace period
        assertThat(stateOf(code)).isEqualTo("claimed");
        Answer retry = cloud.register(code, requestId);
        assertThat(retry.status()).as("the device that holds the claim may still retry").isEqualTo(201);
        assertThat(cloud.register(code).error()).isEqualTo("code_in_use");

        cloud.clock.advance(Duration.ofMinutes(11)); // the claim lapsed, and the TTL is over
        assertThat(stateOf(code)).isEqualTo("expired");
        Answer expired = cloud.register(code, requestId);
        assertThat(expired.status()).isEqualTo(410);
        assertThat(expired.error()).isEqualTo("code_expired");
    }

    @Test
    void aCodeExpiresExactlyAtItsTtl() throws Exception {
        String code = cloud.createCode(3600L, null);
        cloud.clock.advance(Duration.ofSeconds(3599));
        assertThat(stateOf(code)).isEqualTo("active");
        cloud.clock.advance(Duration.ofSeconds(1));
        assertThat(stateOf(code)).isEqualTo("expired");
        assertThat(cloud.register(code).error()).isEqualTo("code_expired");
    }

    @Test
    void theDefaultTtlIs24Hours() throws Exception {
        String code = cloud.createCode();
        cloud.clock.advance(Duration.ofHours(24).minusSeconds(1));
        assertThat(stateOf(code)).isEqualTo("active");
        cloud.clock.advance(Duration.ofSeconds(1));
        assertThat(cloud.register(code).error()).isEqualTo("code_expired");
    }

    @Test
    void revokingAClaimedCodeEndsThePendingKey() throws Exception {
        String code = cloud.createCode();
        Answer a = cloud.register(code);
        assertThat(cloud.admin("DELETE", "/api/v1/admin/provisioning-codes/" + idOf(code), null).text("state"))
                .isEqualTo("revoked");
        assertThat(cloud.confirm(a.text("device_id"), a.text("api_key")).status()).isEqualTo(401);
        assertThat(cloud.register(code).error()).isEqualTo("code_revoked");
    }
}
