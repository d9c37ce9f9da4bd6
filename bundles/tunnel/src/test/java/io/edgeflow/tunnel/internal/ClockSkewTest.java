package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.api.tunnel.TunnelState.Phase;

/**
 * The clock skew the tunnel measures from the cloud's {@code server_time}: at every {@code hello} and
 * {@code heartbeat_ack}, so it is there after a restart of the agent and follows a corrected clock.
 */
class ClockSkewTest {
    @TempDir
    static Path dir;
    static ReferenceCloud cloud;
    static LocalApiStub localApi;
    static TestCloudEndpoint endpoint;

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

    /** The system clock plus an offset that a test changes, as when NTP corrects the device's clock. */
    static final class ShiftedClock extends Clock {
        volatile Duration offset;

        ShiftedClock(Duration offset) {
            this.offset = offset;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }

    private static TunnelClient client(ReferenceCloud.Device device, Clock clock) {
        return new TunnelClient(TunnelOnlineTest.FAST, endpoint, device.id(), new MemoryVault(device.id(), device.key()),
                null, clock, b -> ThreadLocalRandom.current().nextLong(b), localApi::address);
    }

    @Test
    void theSkewIsMeasuredAfterEachStartAndFollowsACorrectedClock() throws Exception {
        ReferenceCloud.Device device = cloud.register(true);
        ShiftedClock behind = new ShiftedClock(Duration.ofHours(-2));
        try (TunnelClient client = client(device, behind)) {
            assertThat(client.state().clockSkewSeconds()).as("nothing measured before the tunnel is up").isNull();
            client.start();
            Await.until("online with a skew", Duration.ofSeconds(10), () -> client.state().phase() == Phase.ONLINE
                    && client.state().clockSkewSeconds() != null, () -> client.state().toString());
            assertThat(client.state().clockSkewSeconds()).isBetween(7199L, 7201L);

            behind.offset = Duration.ZERO; // NTP corrects the clock while the tunnel runs
            Await.until("the next heartbeat's skew", Duration.ofSeconds(5),
                    () -> Math.abs(client.state().clockSkewSeconds()) <= 1, () -> client.state().toString());
        }
        // a restart of the agent: a new client knows nothing, and measures again as soon as the tunnel is up
        try (TunnelClient restarted = client(device, new ShiftedClock(Duration.ofMinutes(-30)))) {
            restarted.start();
            Await.until("online with a skew", Duration.ofSeconds(10), () -> restarted.state().phase() == Phase.ONLINE
                    && restarted.state().clockSkewSeconds() != null, () -> restarted.state().toString());
            assertThat(restarted.state().clockSkewSeconds()).isBetween(1799L, 1801L);
        }
    }

    @Test
    void theSkewIsTheServerTimeAgainstTheMiddleOfTheRoundTrip() {
        Instant sent = Instant.parse("2026-12-03T10:00:00Z");
        Instant received = sent.plusMillis(800);
        // the cloud answered at 10:00:10.4 by its clock, the middle of the round trip is 10:00:00.4 by ours
        assertThat(Protocol.skewFrom(Map.of("server_time", "2026-12-03T10:00:10.400123456Z"), sent, received))
                .isEqualTo(10L);
        // whole seconds only: still rounded to the nearest second
        assertThat(Protocol.skewFrom(Map.of("server_time", "2026-12-03T09:59:59Z"), sent, received)).isEqualTo(-1L);
        assertThat(Protocol.skewFrom(Map.of("server_time", "2026-12-03T12:00:00+02:00"), sent, received))
                .isZero();
        // a hello answers nothing: its arrival is the local time
        assertThat(Protocol.skewFrom(Map.of("server_time", "2026-12-03T08:00:00Z"), null, sent)).isEqualTo(-7200L);
        // a clock stepped back during the round trip: the arrival, not a midpoint before the sending
        assertThat(Protocol.skewFrom(Map.of("server_time", "2026-12-03T10:00:00Z"), received, sent)).isZero();
        assertThat(Protocol.skewFrom(Map.of("server_time", "yesterday"), sent, received)).isNull();
        assertThat(Protocol.skewFrom(Map.of("server_time", 17), sent, received)).isNull();
        assertThat(Protocol.skewFrom(Map.of(), sent, received)).isNull();
    }
}
