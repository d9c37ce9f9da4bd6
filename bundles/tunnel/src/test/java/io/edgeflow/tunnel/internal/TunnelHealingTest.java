package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.tunnel.TunnelState.Phase;

/**
 * The tunnel heals itself: the cloud restarted again and again, a connection reset or silently dead in
 * the middle (a proxy that drops the TCP stream or stops forwarding), a revoked device, a rejected key;
 * and reconnecting many times leaks neither threads nor memory.
 */
class TunnelHealingTest {
    static final Duration INTERVAL = Duration.ofMillis(400);
    static final Duration CAP = Duration.ofSeconds(1);
    static final TunnelSettings FAST = new TunnelSettings(INTERVAL, Duration.ofMillis(50), CAP,
            Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2), 1024 * 1024, 4);

    @TempDir
    static Path dir;
    static ReferenceCloud cloud;
    static LocalApiStub localApi;

    @BeforeAll
    static void startCloud() throws Exception {
        cloud = new ReferenceCloud(dir.resolve("cloud"), io.edgeflow.cloud.tunnel.TunnelSettings.DEFAULTS
                .withIdleTimeout(Duration.ofSeconds(5)));
        localApi = new LocalApiStub();
    }

    @AfterAll
    static void stopCloud() {
        localApi.close();
        cloud.close();
    }

    /**
     * For counting connections exactly: heartbeats every 5 s and a 10 s handshake, so that a build machine too
     * loaded to answer a 400 ms heartbeat in time does not add a reconnect of its own to those the test makes.
     */
    static final TunnelSettings STEADY = new TunnelSettings(Duration.ofSeconds(5), Duration.ofMillis(50), CAP,
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(2), 1024 * 1024, 4);

    private static TunnelClient client(TestCloudEndpoint endpoint, MemoryVault vault, String deviceId) {
        return client(FAST, endpoint, vault, deviceId);
    }

    private static TunnelClient client(TunnelSettings settings, TestCloudEndpoint endpoint, MemoryVault vault,
            String deviceId) {
        return new TunnelClient(settings, endpoint, deviceId, vault, null, Clock.systemUTC(),
                b -> ThreadLocalRandom.current().nextLong(b), localApi::address);
    }

    private static void awaitOnline(TunnelClient client, Duration limit) {
        Await.until("online", limit, () -> client.state().phase() == Phase.ONLINE, () -> client.state().toString());
    }

    @Test
    void theCloudRestarted20TimesTheAgentIsBackOnlineAfterEachWithinItsBackoffCap() throws Exception {
        ReferenceCloud.Device device = cloud.register(true);
        try (TestCloudEndpoint endpoint = new TestCloudEndpoint("localhost", cloud.port(), cloud.tls());
                TunnelClient client = client(endpoint, new MemoryVault(device.id(), device.key()), device.id())) {
            client.start();
            awaitOnline(client, Duration.ofSeconds(10));
            long slowest = 0;
            for (int round = 1; round <= 20; round++) {
                Instant before = client.state().lastHeartbeat();
                cloud.stop();
                Await.until("offline after stop " + round, INTERVAL.multipliedBy(3),
                        () -> client.state().phase() == Phase.OFFLINE, () -> client.state().toString());
                assertThat(client.state().connected()).isFalse();
                assertThat(client.state().error()).isNotNull();
                cloud.start();
                long back = Await.millisUntil("online after restart " + round, Duration.ofSeconds(10),
                        () -> client.state().phase() == Phase.ONLINE
                                && client.state().lastHeartbeat().isAfter(before),
                        () -> client.state().toString());
                slowest = Math.max(slowest, back);
            }
            // back within the cap of the backoff, plus a TLS handshake on a busy machine
            assertThat(slowest).as("slowest return after a restart, ms").isLessThanOrEqualTo(CAP.toMillis() + 2000);
            assertThat(cloud.device(device.id()).path("online").asBoolean()).isTrue();
        }
    }

    @Test
    void aConnectionResetInTheMiddleIsHealed() throws Exception {
        ReferenceCloud.Device device = cloud.register(true);
        try (TcpProxy proxy = new TcpProxy(cloud.port());
                TestCloudEndpoint endpoint = new TestCloudEndpoint("localhost", proxy.port(), cloud.tls());
                TunnelClient client = client(endpoint, new MemoryVault(device.id(), device.key()), device.id())) {
            client.start();
            awaitOnline(client, Duration.ofSeconds(10));
            Instant firstConnection = client.state().connectedSince();
            proxy.dropAll();
            Await.until("the reset is seen", Duration.ofSeconds(2), () -> client.state().phase() != Phase.ONLINE
                    || client.state().connectedSince().isAfter(firstConnection));
            Await.until("online over a new connection", Duration.ofSeconds(5),
                    () -> client.state().phase() == Phase.ONLINE && proxy.accepted() == 2);
            assertThat(client.state().connectedSince()).isAfter(firstConnection);
        }
    }

    @Test
    void aHalfOpenConnectionIsFoundWithinTwoIntervalsAndReplaced() throws Exception {
        ReferenceCloud.Device device = cloud.register(true);
        try (TcpProxy proxy = new TcpProxy(cloud.port());
                TestCloudEndpoint endpoint = new TestCloudEndpoint("localhost", proxy.port(), cloud.tls());
                TunnelClient client = client(endpoint, new MemoryVault(device.id(), device.key()), device.id())) {
            client.start();
            awaitOnline(client, Duration.ofSeconds(10));
            // let one heartbeat be answered, then stop forwarding without closing anything
            Instant answered = client.state().lastHeartbeat();
            Await.until("a heartbeat answered", Duration.ofSeconds(3),
                    () -> client.state().lastHeartbeat().isAfter(answered));
            proxy.blackholeAll();
            long silentSince = System.nanoTime();
            List<TunnelState> seen = new ArrayList<>();
            Await.until("the dead connection is found", INTERVAL.multipliedBy(4), () -> {
                TunnelState s = client.state();
                seen.add(s);
                return s.phase() != Phase.ONLINE;
            });
            long detectedMs = (System.nanoTime() - silentSince) / 1_000_000;
            assertThat(detectedMs).as("detection time, ms").isLessThanOrEqualTo(INTERVAL.multipliedBy(2).toMillis() + 250);
            assertThat(seen.get(seen.size() - 1).error().code()).isEqualTo(TunnelClient.HEARTBEAT_TIMEOUT);
            Await.until("online over a new connection", Duration.ofSeconds(5),
                    () -> client.state().phase() == Phase.ONLINE && proxy.accepted() >= 2, () -> client.state().toString());
        }
    }

    @Test
    void aRevokedDeviceLosesItsTunnelAndTheStatusSaysWhy() throws Exception {
        ReferenceCloud.Device device = cloud.register(true);
        MemoryVault vault = new MemoryVault(device.id(), device.key());
        try (TestCloudEndpoint endpoint = new TestCloudEndpoint("localhost", cloud.port(), cloud.tls());
                TunnelClient client = client(endpoint, vault, device.id())) {
            client.start();
            awaitOnline(client, Duration.ofSeconds(10));
            assertThat(cloud.admin("DELETE", "/api/v1/admin/devices/" + device.id(), null).status()).isEqualTo(200);
            Await.until("rejected", Duration.ofSeconds(3), () -> client.state().phase() == Phase.REJECTED,
                    () -> client.state().toString());
            TunnelState state = client.state();
            assertThat(state.connected()).isFalse();
            assertThat(state.error().code()).isEqualTo("credentials_rejected");
            assertThat(state.error().message()).contains("revoked");
            assertThat(state.lastHeartbeat()).as("the last answered heartbeat stays known").isNotNull();
            assertThat(cloud.device(device.id()).path("online").asBoolean()).isFalse();

            // it retries slowly, and the cloud keeps saying no (401 at the handshake)
            int loads = vault.loads.get();
            Await.until("a retry", Duration.ofSeconds(3), () -> vault.loads.get() > loads);
            Await.until("the retry refused with HTTP 401", Duration.ofSeconds(5),
                    () -> client.state().error() != null && client.state().error().message().contains("HTTP 401"),
                    () -> client.state().toString());
            assertThat(client.state().phase()).isEqualTo(Phase.REJECTED);
            assertThat(client.state().error().message()).contains("HTTP 401");
        }
    }

    @Test
    void aRejectedKeyIsRetriedSlowlyNotInATightLoop() throws Exception {
        ReferenceCloud.Device device = cloud.register(true);
        MemoryVault vault = new MemoryVault(device.id(), "efk_" + "0".repeat(52));
        List<Long> bounds = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TestCloudEndpoint endpoint = new TestCloudEndpoint("localhost", cloud.port(), cloud.tls());
                TunnelClient client = new TunnelClient(FAST, endpoint, device.id(), vault, null, Clock.systemUTC(),
                        bound -> {
                            bounds.add(bound);
                            return ThreadLocalRandom.current().nextLong(bound);
                        }, localApi::address)) {
            client.start();
            Await.until("rejected", Duration.ofSeconds(5), () -> client.state().phase() == Phase.REJECTED);
            assertThat(client.state().error().code()).isEqualTo("credentials_rejected");
            Await.until("two retries", Duration.ofSeconds(10), () -> vault.loads.get() >= 3);
            // slow retry of 1 s here: each waits 0.5 to 1 s (with jitter), never the fast backoff
            assertThat(bounds).isNotEmpty().containsOnly(FAST.rejectedRetry().toMillis() / 2 + 1);
            assertThat(client.state().phase()).isEqualTo(Phase.REJECTED);
        }
    }

    @Test
    void fiftyReconnectsLeaveThreadCountAndHeapFlat() throws Exception {
        ReferenceCloud.Device device = cloud.register(true);
        try (TcpProxy proxy = new TcpProxy(cloud.port());
                TestCloudEndpoint endpoint = new TestCloudEndpoint("localhost", proxy.port(), cloud.tls());
                TunnelClient client = client(STEADY, endpoint, new MemoryVault(device.id(), device.key()),
                        device.id())) {
            client.start();
            awaitOnline(client, Duration.ofSeconds(10));
            reconnect(client, proxy, 5); // warm up: classes loaded, pools at their working size
            int threadsBefore = agentSideThreads().size();
            long heapBefore = usedHeapAfterGc();

            reconnect(client, proxy, 50);

            // the threads of the connections dropped last end within moments; a leaked one never does
            Await.until("the agent's threads back to " + threadsBefore + " (+2)", Duration.ofSeconds(10),
                    () -> agentSideThreads().size() <= threadsBefore + 2, () -> agentSideThreads().toString());
            List<String> threadsAfter = agentSideThreads();
            long heapAfter = usedHeapAfterGc();
            assertThat(proxy.accepted()).isEqualTo(56);
            assertThat(threadsAfter.size()).as("threads " + threadsAfter).isLessThanOrEqualTo(threadsBefore + 2);
            assertThat(TunnelOnlineTest.tunnelThreads()).hasSizeLessThanOrEqualTo(1 + FAST.maxConcurrentRequests());
            assertThat(heapAfter - heapBefore).as("heap growth, bytes").isLessThan(8L * 1024 * 1024);
        }
    }

    private static void reconnect(TunnelClient client, TcpProxy proxy, int times) {
        for (int i = 0; i < times; i++) {
            int before = proxy.accepted();
            proxy.dropAll();
            Await.until("online again", Duration.ofSeconds(10),
                    () -> proxy.accepted() > before && client.state().phase() == Phase.ONLINE,
                    () -> client.state().toString());
        }
    }

    /** Every live thread but the test's proxy and the in-process cloud's. */
    private static List<String> agentSideThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && !n.startsWith("proxy-") && !n.startsWith("cloud-http") && !n.startsWith("local-api-stub")
                    && !n.startsWith("Scheduler-") && !n.startsWith("sqlite")) {
                names.add(n);
            }
        }
        return names;
    }

    /** The heap in use once a full collection frees nothing more (at most ten collections). */
    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            memory.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return used;
            }
            used = now;
        }
        return used;
    }
}
