package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.api.tunnel.TunnelState.Phase;
import io.edgeflow.tunnel.internal.ReferenceCloud.Answer;

/**
 * The tunnel against the real reference cloud over TLS: it comes online, heartbeats move on, the cloud
 * shows the device online, and the cloud's admin API reaches the device's local API through it.
 */
class TunnelOnlineTest {
    static final TunnelSettings FAST = new TunnelSettings(Duration.ofMillis(300), Duration.ofMillis(50),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2), 1024 * 1024, 4);

    @TempDir
    static Path dir;
    static ReferenceCloud cloud;
    static LocalApiStub localApi;
    static TestCloudEndpoint endpoint;

    ReferenceCloud.Device device;
    MemoryVault vault;
    TunnelClient client;

    @BeforeAll
    static void startCloud() throws Exception {
        cloud = new ReferenceCloud(dir.resolve("cloud"), io.edgeflow.cloud.tunnel.TunnelSettings.DEFAULTS
                .withIdleTimeout(Duration.ofSeconds(5)).withRequestTimeout(Duration.ofSeconds(3)));
        localApi = new LocalApiStub();
        endpoint = new TestCloudEndpoint("localhost", cloud.port(), cloud.tls());
    }

    @AfterAll
    static void stopCloud() {
        endpoint.close();
        localApi.close();
        cloud.close();
    }

    @BeforeEach
    void connect() throws Exception {
        device = cloud.register(true);
        vault = new MemoryVault(device.id(), device.key());
        client = new TunnelClient(FAST, endpoint, device.id(), vault, null, Clock.systemUTC(),
                b -> ThreadLocalRandom.current().nextLong(b), localApi::address);
        client.start();
        Await.until("online", Duration.ofSeconds(10), () -> client.state().phase() == Phase.ONLINE,
                () -> client.state().toString());
    }

    @AfterEach
    void close() {
        client.close();
    }

    private Answer local(String method, String path, String body) throws Exception {
        return cloud.admin(method, "/api/v1/admin/devices/" + device.id() + "/local" + path, body);
    }

    @Test
    void heartbeatsAreAnsweredAndTheCloudShowsTheDeviceOnline() throws Exception {
        Instant first = client.state().lastHeartbeat();
        assertThat(client.state().connected()).isTrue();
        assertThat(client.state().connectedSince()).isNotNull();
        assertThat(client.state().error()).isNull();
        Await.until("a later heartbeat", Duration.ofSeconds(3), () -> client.state().lastHeartbeat().isAfter(first));

        JsonNode seen = cloud.device(device.id());
        assertThat(seen.path("online").asBoolean()).isTrue();
        assertThat(seen.path("connected_since").asText()).isNotEmpty();
        assertThat(seen.path("last_heartbeat").isTextual()).isTrue();
    }

    @Test
    void theFirstTunnelConfirmsAKeyThatWasNotConfirmedYet() throws Exception {
        client.close();
        ReferenceCloud.Device pending = cloud.register(false);
        assertThat(cloud.device(pending.id()).path("status").asText()).isEqualTo("pending");
        try (TunnelClient other = new TunnelClient(FAST, endpoint, pending.id(),
                new MemoryVault(pending.id(), pending.key()), null, Clock.systemUTC(),
                b -> ThreadLocalRandom.current().nextLong(b), localApi::address)) {
            other.start();
            Await.until("online", Duration.ofSeconds(10), () -> other.state().phase() == Phase.ONLINE);
            assertThat(cloud.device(pending.id()).path("status").asText()).isEqualTo("active");
        }
    }

    @Test
    void theAdminApiReadsTheDeviceFactsThroughTheTunnel() throws Exception {
        Answer facts = local("GET", "/api/v1/device/facts", null);
        assertThat(facts.status()).isEqualTo(200);
        assertThat(facts.text()).isEqualTo(LocalApiStub.FACTS);
        assertThat(facts.raw().headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(facts.raw().headers().firstValue("X-Secret-Header")).isEmpty();
        LocalApiStub.Seen seen = localApi.seen.get(localApi.seen.size() - 1);
        assertThat(seen.path()).isEqualTo("/api/v1/device/facts");
        assertThat(seen.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("Authorization"));
    }

    @Test
    void bodiesQueriesStatusesAndHeadersGoThroughAsTheyAre() throws Exception {
        Answer echo = local("POST", "/api/v1/echo", "{\"provisioning_code\": \"x\"}");
        assertThat(echo.status()).isEqualTo(200);
        assertThat(echo.text()).isEqualTo("{\"provisioning_code\": \"x\"}");
        assertThat(localApi.seen.get(localApi.seen.size() - 1).headers().get("Content-type"))
                .containsExactly("application/json");

        assertThat(local("PUT", "/api/v1/echo", "{}").status()).isEqualTo(200);
        assertThat(local("DELETE", "/api/v1/echo", null).status()).isEqualTo(204);

        Answer slow = local("GET", "/api/v1/slow?ms=10", null);
        assertThat(slow.text()).contains("\"slept\": 10");
        assertThat(localApi.seen.get(localApi.seen.size() - 1).path()).isEqualTo("/api/v1/slow?ms=10");

        Answer teapot = local("GET", "/api/v1/teapot", null);
        assertThat(teapot.status()).isEqualTo(418);
        assertThat(teapot.raw().headers().firstValue("Retry-After")).hasValue("7");

        Answer missing = local("GET", "/api/v1/nothing/here", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.field("error")).isEqualTo("not_found");
    }

    @Test
    void requestsAreMultiplexedEachAnswerFindsItsCaller() throws Exception {
        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long ms = (12 - i) * 15L;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return local("GET", "/api/v1/slow?ms=" + ms, null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < calls.size(); i++) {
            Answer a = calls.get(i).join();
            assertThat(a.status()).as(a.toString()).isEqualTo(200);
            assertThat(a.text()).contains("\"slept\": " + (12 - i) * 15L);
        }
    }

    @Test
    void onlyTheLocalApiIsReachable() throws Exception {
        for (String path : List.of("/system/console", "/api/v2/x", "/api/v1/../../system/console",
                "/api/v1/%2e%2e/system", "/api/v1/a%2fb")) {
            Answer a = local("GET", path, null);
            assertThat(a.status()).as(path + ": " + a).isIn(400, 403);
        }
        assertThat(localApi.seen).noneMatch(s -> !s.path().startsWith("/api/v1/"));
        Answer patch = local("PATCH", "/api/v1/echo", "{}");
        assertThat(patch.status()).isEqualTo(405);
    }

    @Test
    void aSilentLocalApiGivesTheCaller504AndABigAnswer502() throws Exception {
        Answer slow = local("GET", "/api/v1/slow?ms=5000", null);
        assertThat(slow.status()).as(slow.toString()).isEqualTo(504);
        assertThat(slow.field("error")).isEqualTo("local_timeout");
        Answer big = local("GET", "/api/v1/big", null);
        assertThat(big.status()).as(big.toString()).isEqualTo(502);
        assertThat(big.field("error")).isEqualTo("response_too_large");
        // the tunnel is still up and serving
        assertThat(local("GET", "/api/v1/device/facts", null).status()).isEqualTo(200);
        assertThat(client.state().phase()).isEqualTo(Phase.ONLINE);
    }

    @Test
    void anOfflineDeviceGives502() throws Exception {
        client.close();
        Await.until("offline in the cloud", Duration.ofSeconds(5),
                () -> cloud.server().tunnels().presence(device.id()).online() == false);
        Answer offline = local("GET", "/api/v1/device/facts", null);
        assertThat(offline.status()).isEqualTo(502);
        assertThat(offline.field("error")).isEqualTo("device_offline");
        JsonNode seen = cloud.device(device.id());
        assertThat(seen.path("online").asBoolean()).isFalse();
        assertThat(seen.path("last_heartbeat").isTextual()).as("the last heartbeat stays known").isTrue();
        assertThat(cloud.admin("GET", "/api/v1/admin/devices/dev_nosuchdevice/local/api/v1/device/facts", null)
                .status()).isEqualTo(404);
    }

    @Test
    void closingStopsEveryThreadTheTunnelStarted() throws Exception {
        local("GET", "/api/v1/device/facts", null); // a request thread exists now
        assertThat(tunnelThreads()).isNotEmpty();
        client.close();
        assertThat(client.state().phase()).isEqualTo(Phase.STOPPED);
        Await.until("no tunnel threads", Duration.ofSeconds(3), () -> tunnelThreads().isEmpty(),
                () -> tunnelThreads().toString());
        Await.until("offline in the cloud", Duration.ofSeconds(3),
                () -> !cloud.server().tunnels().presence(device.id()).online());
    }

    static List<String> tunnelThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("edgeflow-tunnel")) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
