package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.provisioning.RotatedKey;
import io.edgeflow.api.tunnel.RelayCredential;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

/** POST /api/v1/saas/rotate-key with requests built in memory: who may call it, and its answers. */
class RotateKeyServletTest {
    private static final String DEVICE = "dev_qag0ppqf7b6nhyfs09mf";
    private static final Instant EXPIRES = Instant.parse("2027-12-04T15:00:00.123Z");
    private static final String RELAY = "relay-0123456789abcdef";

    private final AtomicInteger rotations = new AtomicInteger();

    private ProvisioningService answering(RotatedKey rotated, ProvisioningException failure) {
        return new ProvisioningService() {
            @Override
            public DeviceCredentials provision(String code) {
                throw new AssertionError("the rotate-key API does not provision");
            }

            @Override
            public ProvisioningState state() {
                throw new AssertionError("the rotate-key API does not read the state");
            }

            @Override
            public RotatedKey rotateKey() throws ProvisioningException {
                rotations.incrementAndGet();
                if (failure != null) {
                    throw failure;
                }
                return rotated;
            }
        };
    }

    private static final RelayCredential TUNNEL = RELAY::equals;

    private static Exchange.Answer post(RotateKeyServlet servlet, String remote, String authorization, String body)
            throws Exception {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Content-Type", "application/json"));
        if (authorization != null) {
            headers.add(Map.entry("Authorization", authorization));
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Exchange.run(servlet, new Exchange.Request("POST", "/api/v1/saas/rotate-key", null, headers, bytes,
                bytes.length, remote, Map.of()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Exchange.Answer answer) throws Exception {
        return (Map<String, Object>) JsonServlet.JSON.read(answer.body());
    }

    @Test
    void aConfirmedRotationIs200WithTheNewExpiryAndNoKey() throws Exception {
        RotateKeyServlet servlet = new RotateKeyServlet(new CallerCheck(""),
                answering(new RotatedKey(DEVICE, EXPIRES, null, true), null), null);
        Exchange.Answer answer = post(servlet, "127.0.0.1", null, "");
        assertThat(answer.status()).isEqualTo(200);
        // curl -X POST: no body and no Content-Length at all
        assertThat(Exchange.run(servlet, new Exchange.Request("POST", "/api/v1/saas/rotate-key", null, List.of(),
                new byte[0], -1, "127.0.0.1", Map.of())).status()).isEqualTo(200);
        assertThat(json(answer)).containsExactly(Map.entry("device_id", DEVICE),
                Map.entry("expires_at", "2027-12-04T15:00:00Z"), Map.entry("confirmed", true));
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).doesNotContain("efk_");
        assertThat(post(servlet, "::1", null, "{}").status()).isEqualTo(200);
        assertThat(rotations).hasValue(3);
    }

    @Test
    void aRotationStillBeingConfirmedIs202WithThePreviousKeysWindow() throws Exception {
        RotateKeyServlet servlet = new RotateKeyServlet(new CallerCheck(""), answering(new RotatedKey(DEVICE, EXPIRES,
                Instant.parse("2026-12-05T15:00:00Z"), false), null), null);
        Exchange.Answer answer = post(servlet, "127.0.0.1", null, "{}");
        assertThat(answer.status()).isEqualTo(202);
        assertThat(json(answer)).containsEntry("confirmed", false)
                .containsEntry("previous_key_valid_until", "2026-12-05T15:00:00Z").containsKey("message");
    }

    @Test
    void callersAsForProvisioningTheTokenOrLoopbackAndTheTunnelsRelayCredential() throws Exception {
        RotatedKey rotated = new RotatedKey(DEVICE, EXPIRES, null, true);
        RotateKeyServlet open = new RotateKeyServlet(new CallerCheck(""), answering(rotated, null), TUNNEL);
        assertThat(post(open, "192.168.1.20", null, "{}").status()).isEqualTo(403);
        assertThat(post(open, "192.168.1.20", RelayCredential.SCHEME + " " + RELAY, "{}").status()).isEqualTo(200);
        assertThat(post(open, "192.168.1.20", RelayCredential.SCHEME + " wrong", "{}").status()).isEqualTo(401);

        RotateKeyServlet token = new RotateKeyServlet(new CallerCheck("s3cret-token"), answering(rotated, null),
                TUNNEL);
        assertThat(post(token, "127.0.0.1", null, "{}").status()).isEqualTo(401);
        assertThat(post(token, "127.0.0.1", "Bearer wrong", "{}").status()).isEqualTo(401);
        assertThat(post(token, "192.168.1.20", "Bearer s3cret-token", "{}").status()).isEqualTo(200);
        assertThat(post(token, "192.168.1.20", RelayCredential.SCHEME + " " + RELAY, "{}").status()).isEqualTo(200);
        assertThat(rotations).hasValue(3);
    }

    @Test
    void errorsAreJsonWithTheirCodeAndAFittingStatus() throws Exception {
        Map<ProvisioningException, Integer> expected = Map.of(
                new ProvisioningException("not_provisioned", "The device holds no credentials to rotate.", true), 409,
                new ProvisioningException("provisioning_in_progress", "A registration is under way.", false), 409,
                new ProvisioningException("cloud_unreachable", "Cannot connect to the cloud at 127.0.0.1:1.", false),
                503,
                new ProvisioningException("vault_io_error", "No space left on device.", false), 503,
                new ProvisioningException("invalid_credentials", "Unknown API key.", true), 409,
                new ProvisioningException("cloud_timeout", "No answer in time.", false), 504,
                new ProvisioningException("rate_limited", "Wait.", false), 429);
        for (Map.Entry<ProvisioningException, Integer> e : expected.entrySet()) {
            RotateKeyServlet servlet = new RotateKeyServlet(new CallerCheck(""), answering(null, e.getKey()), null);
            Exchange.Answer answer = post(servlet, "127.0.0.1", null, "{}");
            assertThat(answer.status()).as(e.getKey().code()).isEqualTo(e.getValue());
            assertThat(answer.contentType()).startsWith("application/json");
            assertThat(json(answer)).containsEntry("error", e.getKey().code())
                    .containsEntry("message", e.getKey().getMessage());
        }
    }

    @Test
    void badBodiesAndAMissingProvisioningBundleAreClearErrors() throws Exception {
        RotateKeyServlet servlet = new RotateKeyServlet(new CallerCheck(""),
                answering(new RotatedKey(DEVICE, EXPIRES, null, true), null), null);
        assertThat(json(post(servlet, "127.0.0.1", null, "{not json"))).containsEntry("error", "invalid_json");
        assertThat(post(servlet, "127.0.0.1", null, "[1]").status()).isEqualTo(400);
        assertThat(rotations).hasValue(0);
        Exchange.Answer missing = post(new RotateKeyServlet(new CallerCheck(""), null, null), "127.0.0.1", null, "{}");
        assertThat(missing.status()).isEqualTo(503);
        assertThat(json(missing)).containsEntry("error", "provisioning_unavailable");
    }
}
