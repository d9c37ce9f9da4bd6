package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.tunnel.TunnelSettings;

/**
 * The cloud's end of the tunnel (protocol edgeflow.tunnel.v1) with a hand-written device: the handshake
 * and its refusals, heartbeats, presence, frames that make no sense, one tunnel per device, revocation,
 * and requests forwarded to the device's local API.
 */
class TunnelEndpointTest {
    @TempDir
    static Path dir;
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(dir.resolve("data"), CloudSettings.DEFAULTS, TunnelSettings.DEFAULTS
                .withRequestTimeout(Duration.ofMillis(800)).withMaxBodyBytes(4096));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static int refusal(String deviceId, String key) throws Exception {
        return refusal(deviceId, key, new String[] {"edgeflow.tunnel.v1"});
    }

    private static int refusal(String deviceId, String key, String[] protocols) throws Exception {
        try {
            SimulatedDevice.connect(cloud, deviceId, key, protocols).close();
            return 101;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    private static Answer local(String deviceId, String method, String path, String body) throws Exception {
        return cloud.call(method, "/api/v1/admin/devices/" + deviceId + "/local" + path, body, cloud.adminToken);
    }

    @Test
    void theHandshakeNeedsTheProtocolTheDeviceIdAndAWorkingKey() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        String key = d.text("api_key");
        assertThat(refusal(id, key)).isEqualTo(101);
        assertThat(refusal(id, "efk_" + "1".repeat(52))).isEqualTo(401);
        assertThat(refusal(id, null)).isEqualTo(401);
        assertThat(refusal("dev_unknown", key)).isEqualTo(401);
        assertThat(refusal(null, key)).isEqualTo(400);
        assertThat(refusal(id, key, new String[] {"edgeflow.tunnel.v9"})).isEqualTo(400);
        assertThat(refusal(id, key, new String[0])).isEqualTo(400);
        Answer plain = cloud.call("GET", "/api/v1/tunnel", null, null);
        assertThat(plain.status()).isEqualTo(426);
        assertThat(plain.error()).isEqualTo("upgrade_required");
    }

    @Test
    void anOlderAndANewerDeviceAreToldApart() throws Exception {
        Answer d = cloud.provisionDevice();
        // a newer agent offers v2 first; this cloud picks the v1 it speaks
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, d.text("device_id"), d.text("api_key"),
                "edgeflow.tunnel.v2", "edgeflow.tunnel.v1")) {
            assertThat(device.ws.getSubprotocol()).isEqualTo("edgeflow.tunnel.v1");
            JsonNode hello = device.next();
            assertThat(hello.path("type").asText()).isEqualTo("hello");
            assertThat(hello.path("protocol").asInt()).isEqualTo(1);
            assertThat(hello.path("device_id").asText()).isEqualTo(d.text("device_id"));
            assertThat(hello.path("heartbeat_timeout_seconds").asLong()).isEqualTo(90);
            assertThat(hello.path("max_body_bytes").asInt()).isEqualTo(4096);
        }
    }

    @Test
    void heartbeatsAreAnsweredAndShowTheDeviceOnline() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        assertThat(cloud.admin("GET", "/api/v1/admin/devices/" + id, null).body().path("online").asBoolean()).isFalse();
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            device.next("hello");
            device.send("{\"type\": \"heartbeat\", \"seq\": 41, \"sent_at\": \"1970-01-01T00:00:07Z\"}");
            JsonNode ack = device.next();
            assertThat(ack.path("type").asText()).isEqualTo("heartbeat_ack");
            assertThat(ack.path("seq").asLong()).isEqualTo(41);
            assertThat(ack.path("server_time").asText()).isEqualTo(cloud.clock.instant().toString());
            JsonNode seen = cloud.admin("GET", "/api/v1/admin/devices/" + id, null).body();
            assertThat(seen.path("online").asBoolean()).isTrue();
            assertThat(seen.path("connected_since").asText()).isEqualTo("2026-03-01T00:00:00Z");
            assertThat(seen.path("last_heartbeat").asText()).isEqualTo("2026-03-01T00:00:00Z");
            JsonNode listed = cloud.admin("GET", "/api/v1/admin/devices", null).body().path("devices");
            assertThat(listed.findValues("online")).isNotEmpty();
        }
        // the cloud learns of the close from the connection: wait for it, not for a fixed time
        JsonNode after = cloud.admin("GET", "/api/v1/admin/devices/" + id, null).body();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (after.path("online").asBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10); // polls
            after = cloud.admin("GET", "/api/v1/admin/devices/" + id, null).body();
        }
        assertThat(after.path("online").asBoolean()).isFalse();
        assertThat(after.path("connected_since").isNull()).isTrue();
        assertThat(after.path("last_heartbeat").asText()).as("kept after the tunnel closed").isEqualTo("2026-03-01T00:00:00Z");
    }

    @Test
    void framesThatMakeNoSenseGetErrorFramesAndTheTunnelStays() throws Exception {
        Answer d = cloud.provisionDevice();
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, d.text("device_id"), d.text("api_key"))) {
            device.next("hello");
            device.send("this is not json");
            assertThat(device.next().path("code").asText()).isEqualTo("invalid_frame");
            device.send("[1, 2, 3]");
            assertThat(device.next().path("code").asText()).isEqualTo("invalid_frame");
            device.send("{\"type\": 12}");
            assertThat(device.next().path("code").asText()).isEqualTo("invalid_frame");
            device.send("{\"type\": \"teleport\", \"id\": \"x1\"}");
            JsonNode unknown = device.next();
            assertThat(unknown.path("type").asText()).isEqualTo("error");
            assertThat(unknown.path("code").asText()).isEqualTo("unknown_type");
            assertThat(unknown.path("id").asText()).isEqualTo("x1");
            device.send("{\"type\": \"response\", \"id\": \"never-asked\", \"status\": 200}");
            device.send("{\"type\": \"error\", \"code\": \"whatever\", \"message\": \"m\"}");
            device.sendBinary();
            assertThat(device.next().path("code").asText()).isEqualTo("invalid_frame");
            device.send("{\"type\": \"heartbeat\"}");
            JsonNode ack = device.next();
            assertThat(ack.path("type").asText()).isEqualTo("heartbeat_ack");
            assertThat(ack.has("seq")).isFalse();
            assertThat(device.closed).isNotDone();
        }
    }

    @Test
    void aNewTunnelOfTheSameDeviceReplacesTheOldOne() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        try (SimulatedDevice first = SimulatedDevice.connect(cloud, id, d.text("api_key"));
                SimulatedDevice second = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            assertThat(first.closed.get(5, TimeUnit.SECONDS)).startsWith("4409 replaced");
            second.next("hello");
            second.send("{\"type\": \"heartbeat\", \"seq\": 1}");
            assertThat(second.next().path("type").asText()).isEqualTo("heartbeat_ack");
            assertThat(cloud.server.tunnels().presence(id).online()).isTrue();
            assertThat(cloud.server.tunnels().openTunnels()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void revokingADeviceClosesItsTunnelWithTheReason() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            device.next("hello");
            assertThat(cloud.admin("DELETE", "/api/v1/admin/devices/" + id, null).status()).isEqualTo(200);
            assertThat(device.closed.get(5, TimeUnit.SECONDS)).isEqualTo("4401 device revoked by an operator");
        }
        assertThat(refusal(id, d.text("api_key"))).isEqualTo(401);
        assertThat(cloud.admin("GET", "/api/v1/admin/devices/" + id, null).body().path("online").asBoolean()).isFalse();
    }

    @Test
    void theFirstTunnelConfirmsAPendingKey() throws Exception {
        Answer registered = cloud.register(cloud.createCode());
        String id = registered.text("device_id");
        assertThat(cloud.admin("GET", "/api/v1/admin/devices/" + id, null).text("status")).isEqualTo("pending");
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, registered.text("api_key"))) {
            device.next("hello");
        }
        assertThat(cloud.admin("GET", "/api/v1/admin/devices/" + id, null).text("status")).isEqualTo("active");
    }

    @Test
    void requestsGoToTheDeviceAndItsAnswerComesBackAsItIs() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            device.next("hello");
            CompletableFuture<Answer> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return local(id, "POST", "/api/v1/saas/provision?x=1", "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode request = device.next("request");
            assertThat(request.path("method").asText()).isEqualTo("POST");
            assertThat(request.path("path").asText()).isEqualTo("/api/v1/saas/provision?x=1");
            assertThat(new String(Base64.getDecoder().decode(request.path("body").asText())))
                    .isEqualTo("{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
            assertThat(request.path("headers").path("content-type").asText()).isEqualTo("application/json");
            assertThat(request.path("headers").has("authorization")).as("the admin token stays in the cloud").isFalse();
            assertThat(request.path("timeout_ms").asLong()).isEqualTo(800);
            device.send("{\"type\": \"response\", \"id\": \"" + request.path("id").asText() + "\", \"status\": 201,"
                    + " \"headers\": {\"content-type\": \"application/json\", \"set-cookie\": \"x\"}, \"body\": \""
                    + Base64.getEncoder().encodeToString("{\"device_id\": \"dev_x\"}\n".getBytes()) + "\"}");
            Answer answer = call.get(5, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(201);
            assertThat(answer.raw().body()).isEqualTo("{\"device_id\": \"dev_x\"}\n");
            assertThat(answer.raw().headers().firstValue("content-type")).hasValue("application/json");
            assertThat(answer.raw().headers().firstValue("set-cookie")).isEmpty();
        }
        // the change is in the audit trail, without its body or query string
        JsonNode event = cloud.admin("GET", "/api/v1/admin/audit?limit=5", null).body().path("events").get(0);
        assertThat(event.path("event").asText()).isEqualTo("remote_access");
        assertThat(event.path("result").asText()).isEqualTo("201");
        assertThat(event.path("device_id").asText()).isEqualTo(id);
        assertThat(event.path("detail").asText()).isEqualTo("POST /api/v1/saas/provision");
        assertThat(event.toString()).doesNotContain("PROV-A1B2-C3D4").doesNotContain("x=1");
    }

    @Test
    void theDevicesErrorsSilenceAndAbsenceAreClearStatuses() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        Answer offline = local(id, "GET", "/api/v1/device/facts", null);
        assertThat(offline.status()).isEqualTo(502);
        assertThat(offline.error()).isEqualTo("device_offline");
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            device.next("hello");
            // silent: 504 after the request timeout (800 ms here)
            Answer silent = local(id, "GET", "/api/v1/device/facts", null);
            assertThat(silent.status()).isEqualTo(504);
            assertThat(silent.error()).isEqualTo("device_timeout");
            device.next("request");
            // the device reports a failure of its local API
            CompletableFuture<Answer> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return local(id, "GET", "/api/v1/device/facts", null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode request = device.next("request");
            device.send("{\"type\": \"error\", \"id\": \"" + request.path("id").asText()
                    + "\", \"code\": \"local_timeout\", \"message\": \"The local API did not answer within 30000 ms.\"}");
            Answer failed = call.get(5, TimeUnit.SECONDS);
            assertThat(failed.status()).isEqualTo(504);
            assertThat(failed.error()).isEqualTo("local_timeout");
            assertThat(failed.text("message")).contains("did not answer");
            // the tunnel closes while a request waits: 502
            CompletableFuture<Answer> dropped = CompletableFuture.supplyAsync(() -> {
                try {
                    return local(id, "GET", "/api/v1/device/facts", null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            device.next("request");
            device.ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            Answer gone = dropped.get(5, TimeUnit.SECONDS);
            assertThat(gone.status()).isEqualTo(502);
            assertThat(gone.error()).isEqualTo("device_disconnected");
        }
    }

    @Test
    void onlyTheDevicesApiIsForwardedAndOnlyForAdmins() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            device.next("hello");
            for (String path : new String[] {"", "/", "/system/console", "/api/v2/x", "/api/v1/%2e%2e/x",
                "/api/v1/a%2Fb", "/api/v1/.%2e/x"}) {
                Answer a = local(id, "GET", path, null);
                assertThat(a.status()).as(path + " " + a).isIn(400, 403, 404);
            }
            assertThat(local(id, "PATCH", "/api/v1/x", "{}").status()).isEqualTo(405);
            Answer tooBig = local(id, "POST", "/api/v1/x", "{\"a\": \"" + "x".repeat(5000) + "\"}");
            assertThat(tooBig.status()).isEqualTo(413);
            Answer noToken = cloud.call("GET", "/api/v1/admin/devices/" + id + "/local/api/v1/device/facts", null, null);
            assertThat(noToken.status()).isEqualTo(401);
            Answer deviceKey = cloud.call("GET", "/api/v1/admin/devices/" + id + "/local/api/v1/device/facts", null,
                    d.text("api_key"));
            assertThat(deviceKey.status()).isEqualTo(401);
            assertThat(local("dev_nobody", "GET", "/api/v1/device/facts", null).status()).isEqualTo(404);
            assertThat(device.frames.poll(300, TimeUnit.MILLISECONDS)).as("nothing reached the device").isNull();
        }
    }

    @Test
    void theServerSettingsAreChecked() {
        assertThatThrownBy(() -> TunnelSettings.DEFAULTS.withIdleTimeout(Duration.ZERO))
                .hasMessageContaining("--tunnel-idle-timeout");
        assertThatThrownBy(() -> TunnelSettings.DEFAULTS.withMaxBodyBytes(10)).hasMessageContaining("--tunnel-max-body");
        assertThat(new ServerConfig("127.0.0.1", 0, dir, null, null, CloudSettings.DEFAULTS, false).tunnel())
                .isEqualTo(TunnelSettings.DEFAULTS);
        assertThat(CloudServer.class).isNotNull();
    }
}
