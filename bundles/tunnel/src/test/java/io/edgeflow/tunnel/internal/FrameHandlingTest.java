package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.edgeflow.api.tunnel.TunnelState.Phase;

/**
 * What the agent does with a cloud that sends nonsense, speaks another protocol version, never says
 * hello or never answers: error frames or silence, a clear error in the status, never a crash and never
 * a tight loop.
 */
class FrameHandlingTest {
    static final TunnelSettings FAST = new TunnelSettings(Duration.ofMillis(300), Duration.ofMillis(50),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(2), 4096, 2);

    static LocalApiStub localApi;

    @BeforeAll
    static void startLocalApi() throws Exception {
        localApi = new LocalApiStub();
    }

    @AfterAll
    static void stopLocalApi() {
        localApi.close();
    }

    private static TunnelClient client(FakeCloud cloud, MemoryVault vault) {
        return new TunnelClient(FAST, cloud, "dev_fake", vault, null, Clock.systemUTC(),
                b -> ThreadLocalRandom.current().nextLong(b), localApi::address);
    }

    @Test
    void malformedAndUnknownFramesAreAnsweredWithErrorsAndTheTunnelStaysUp() throws Exception {
        // heartbeats every second, not FAST's 300 ms: on a loaded machine one answer later than that would
        // (rightly) replace the connection, and this test is about the connection staying
        TunnelSettings steady = new TunnelSettings(Duration.ofSeconds(1), FAST.backoffBase(), FAST.backoffCap(),
                FAST.rejectedRetry(), Duration.ofSeconds(5), FAST.requestTimeout(), FAST.maxBodyBytes(),
                FAST.maxConcurrentRequests());
        try (FakeCloud cloud = new FakeCloud(Protocol.V1, FakeCloud.hello(1, 90), FakeCloud::ack);
                TunnelClient client = new TunnelClient(steady, cloud, "dev_fake", new MemoryVault("dev_fake", "efk_test"),
                        null, Clock.systemUTC(), b -> ThreadLocalRandom.current().nextLong(b), localApi::address)) {
            client.start();
            Await.until("online", Duration.ofSeconds(5), () -> client.state().phase() == Phase.ONLINE);
            for (String frame : List.of("not json", "[1, 2]", "{\"no\": \"type\"}", "{\"type\": 7}",
                    "{\"type\": \"future_thing\", \"id\": \"f1\"}",
                    "{\"type\": \"request\"}",
                    "{\"type\": \"request\", \"id\": \"r1\", \"method\": \"PATCH\", \"path\": \"/api/v1/echo\"}",
                    "{\"type\": \"request\", \"id\": \"r2\", \"method\": \"GET\", \"path\": \"/etc/passwd\"}",
                    "{\"type\": \"request\", \"id\": \"r3\", \"method\": \"GET\", \"path\": \"/api/v1/../../x\"}",
                    "{\"type\": \"request\", \"id\": \"r4\", \"method\": \"POST\", \"path\": \"/api/v1/echo\", \"body\": \"%%%\"}",
                    "{\"type\": \"request\", \"id\": \"r5\", \"method\": \"POST\", \"path\": \"/api/v1/echo\", \"body\": \""
                            + "A".repeat(8000) + "\"}",
                    "{\"type\": \"heartbeat_ack\", \"seq\": \"not a number\"}",
                    "{\"type\": \"hello\", \"protocol\": 99}",
                    "{\"type\": \"error\", \"code\": \"something\", \"message\": \"the cloud complains\"}")) {
                cloud.sendToAll(frame);
            }
            cloud.sendBinaryToAll();
            Await.until("answers to the bad frames", Duration.ofSeconds(5),
                    () -> cloud.receivedOfType("error").size() >= 12, () -> cloud.receivedOfType("error").toString());
            List<String> errors = cloud.receivedOfType("error");
            assertThat(errors).filteredOn(e -> e.contains("\"code\":\"invalid_frame\"")).hasSize(5); // 4 + binary
            assertThat(errors).anyMatch(e -> e.contains("\"id\":\"f1\"") && e.contains("\"code\":\"unknown_type\""));
            assertThat(errors).anyMatch(e -> e.contains("\"id\":null") && e.contains("\"code\":\"invalid_request\""));
            assertThat(errors).anyMatch(e -> e.contains("\"id\":\"r1\"") && e.contains("\"code\":\"invalid_request\""));
            assertThat(errors).anyMatch(e -> e.contains("\"id\":\"r2\"") && e.contains("\"code\":\"path_not_allowed\""));
            assertThat(errors).anyMatch(e -> e.contains("\"id\":\"r3\"") && e.contains("\"code\":\"path_not_allowed\""));
            assertThat(errors).anyMatch(e -> e.contains("\"id\":\"r4\"") && e.contains("\"code\":\"invalid_request\""));
            assertThat(errors).anyMatch(e -> e.contains("\"id\":\"r5\"") && e.contains("\"code\":\"request_too_large\""));
            assertThat(localApi.seen).as("nothing reached the local API").isEmpty();

            // still the same connection, still online, heartbeats still answered
            int beats = cloud.receivedOfType("heartbeat").size();
            Await.until("more heartbeats", Duration.ofSeconds(15),
                    () -> cloud.receivedOfType("heartbeat").size() > beats + 2);
            assertThat(client.state().phase()).isEqualTo(Phase.ONLINE);
            assertThat(cloud.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aCloudSpeakingAnotherProtocolVersionIsRetriedSlowly() throws Exception {
        List<Long> bounds = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (FakeCloud cloud = new FakeCloud(Protocol.V1, FakeCloud.hello(2, 90), FakeCloud::ack);
                TunnelClient client = new TunnelClient(FAST, cloud, "dev_fake", new MemoryVault("dev_fake", "efk_test"),
                        null, Clock.systemUTC(), bound -> {
                            bounds.add(bound);
                            return java.util.concurrent.ThreadLocalRandom.current().nextLong(bound);
                        }, localApi::address)) {
            client.start();
            Await.until("refused", Duration.ofSeconds(5), () -> client.state().error() != null);
            assertThat(client.state().error().code()).isEqualTo(TunnelClient.PROTOCOL_UNSUPPORTED);
            assertThat(client.state().phase()).isEqualTo(Phase.CONNECTING);
            Await.until("two retries", Duration.ofSeconds(10), () -> cloud.connections.get() >= 3);
            // every retry waited the slow interval (0.5 to 1 s), none the fast backoff
            assertThat(bounds).as("slow retries: 0.5 to 1 s apart").isNotEmpty()
                    .containsOnly(FAST.rejectedRetry().toMillis() / 2 + 1);
        }
    }

    @Test
    void aCloudThatAcceptsNoSubProtocolIsNotTalkedTo() throws Exception {
        try (FakeCloud cloud = new FakeCloud(null, FakeCloud.hello(1, 90), FakeCloud::ack);
                TunnelClient client = client(cloud, new MemoryVault("dev_fake", "efk_test"))) {
            client.start();
            Await.until("refused", Duration.ofSeconds(5), () -> client.state().error() != null,
                    () -> client.state().toString());
            assertThat(client.state().error().code()).isEqualTo(TunnelClient.PROTOCOL_UNSUPPORTED);
            assertThat(client.state().phase()).isNotEqualTo(Phase.ONLINE);
        }
    }

    @Test
    void aCloudThatNeverSaysHelloTimesOut() throws Exception {
        try (FakeCloud cloud = new FakeCloud(Protocol.V1, null, FakeCloud::ack);
                TunnelClient client = client(cloud, new MemoryVault("dev_fake", "efk_test"))) {
            client.start();
            Await.until("timed out", Duration.ofSeconds(5), () -> client.state().error() != null,
                    () -> client.state().toString());
            assertThat(client.state().error().code()).isEqualTo(TunnelClient.CONNECT_TIMEOUT);
            Await.until("tried again", Duration.ofSeconds(5), () -> cloud.connections.get() >= 2);
        }
    }

    @Test
    void heartbeatsThatAreNeverAnsweredReplaceTheConnection() throws Exception {
        try (FakeCloud cloud = new FakeCloud(Protocol.V1, FakeCloud.hello(1, 90), (s, f) -> { });
                TunnelClient client = client(cloud, new MemoryVault("dev_fake", "efk_test"))) {
            client.start();
            Await.until("given up on", Duration.ofSeconds(3), () -> client.state().error() != null);
            assertThat(client.state().error().code()).isEqualTo(TunnelClient.HEARTBEAT_TIMEOUT);
            assertThat(client.state().phase()).as("never online: no heartbeat was answered").isEqualTo(Phase.CONNECTING);
            Await.until("a new connection", Duration.ofSeconds(3), () -> cloud.connections.get() >= 2);
        }
    }

    @Test
    void aCloudWithAShortIdleTimeoutGetsHeartbeatsOftenEnough() throws Exception {
        TunnelSettings slow = new TunnelSettings(Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), 4096, 2);
        try (FakeCloud cloud = new FakeCloud(Protocol.V1, FakeCloud.hello(1, 3), FakeCloud::ack);
                TunnelClient client = new TunnelClient(slow, cloud, "dev_fake", new MemoryVault("dev_fake", "efk_test"),
                        null, Clock.systemUTC(), b -> ThreadLocalRandom.current().nextLong(b), localApi::address)) {
            client.start();
            Await.until("online", Duration.ofSeconds(5), () -> client.state().phase() == Phase.ONLINE);
            // the cloud closes silent tunnels after 3 s: a heartbeat every second, not every 30 s
            Await.until("a second heartbeat", Duration.ofMillis(2500), () -> cloud.receivedOfType("heartbeat").size() >= 2);
        }
    }

    @Test
    void aFrameLargerThanTheLimitDropsTheConnectionNotTheAgent() throws Exception {
        try (FakeCloud cloud = new FakeCloud(Protocol.V1, FakeCloud.hello(1, 90), FakeCloud::ack);
                TunnelClient client = client(cloud, new MemoryVault("dev_fake", "efk_test"))) {
            client.start();
            Await.until("online", Duration.ofSeconds(5), () -> client.state().phase() == Phase.ONLINE);
            cloud.sendToAll("{\"type\": \"request\", \"id\": \"big\", \"body\": \"" + "A".repeat(200_000) + "\"}");
            Await.until("dropped", Duration.ofSeconds(3), () -> client.state().error() != null,
                    () -> client.state().toString());
            assertThat(client.state().error().code()).isEqualTo(TunnelClient.PROTOCOL_ERROR);
            Await.until("closed with 4413 (docs/protocol.md)", Duration.ofSeconds(3),
                    () -> cloud.closeCodes.contains(4413), () -> cloud.closeCodes.toString());
            Await.until("online again", Duration.ofSeconds(5), () -> client.state().phase() == Phase.ONLINE);
            assertThat(cloud.connections.get()).isEqualTo(2);
        }
    }
}
