package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.edgeflow.api.provisioning.DeviceIdentity;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.tunnel.TunnelState.Phase;

/**
 * A value out of its range (heartbeat_interval_seconds = 0 through a console) does not stop the tunnel: it
 * keeps the last good value, and the problem is published, naming the PID and the property, until a good
 * value arrives.
 */
class TunnelConfigurationProblemsTest {
    private static final DeviceIdentity DEVICE = new DeviceIdentity() {
        @Override
        public String deviceId() {
            return "dev_fake";
        }

        @Override
        public Instant credentialsExpireAt() {
            return null;
        }
    };

    @Test
    void anOutOfRangeValueKeepsTheLastGoodOneAndIsReported() throws Exception {
        TunnelSettingsTest.Defaults config = new TunnelSettingsTest.Defaults();
        config.heartbeat = 0;
        try (FakeCloud cloud = new FakeCloud(Protocol.V1, FakeCloud.hello(1, 90), FakeCloud::ack)) {
            TunnelComponent tunnel = new TunnelComponent(config, cloud, DEVICE, new MemoryVault("dev_fake", "efk_test"),
                    Clock.systemUTC());
            try {
                // activation: the default for the refused property, the tunnel runs
                assertThat(tunnel.settings().heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
                assertThat(tunnel.problems()).singleElement().satisfies(e -> {
                    assertThat(e.code()).isEqualTo("invalid_configuration");
                    assertThat(e.message()).isEqualTo("io.edgeflow.tunnel: heartbeat_interval_seconds = 0 is out of "
                            + "range (1..3600); running with 30");
                    assertThat(e.since()).isNotNull();
                });
                Await.until("online", Duration.ofSeconds(5), () -> tunnel.state().phase() == Phase.ONLINE);

                // a good value: taken, the problem gone, the tunnel up again on the new settings
                config.heartbeat = 10;
                tunnel.modified(config);
                assertThat(tunnel.problems()).isEmpty();
                assertThat(tunnel.settings().heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
                Await.until("online again", Duration.ofSeconds(5), () -> tunnel.state().phase() == Phase.ONLINE);

                // a bad one again: the last good value (10), not the default, and the same tunnel
                int connections = cloud.connections.get();
                config.heartbeat = 99_999;
                config.body = 12;
                tunnel.modified(config);
                assertThat(tunnel.settings().heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
                assertThat(tunnel.settings().maxBodyBytes()).isEqualTo(1024 * 1024);
                assertThat(tunnel.problems()).extracting(StatusError::message).containsExactly(
                        "io.edgeflow.tunnel: heartbeat_interval_seconds = 99999 is out of range (1..3600); "
                                + "running with 10",
                        "io.edgeflow.tunnel: max_body_bytes = 12 is out of range (1024..16777216); running with "
                                + "1048576");
                StatusError first = tunnel.problems().get(0);
                tunnel.modified(config);
                assertThat(tunnel.problems().get(0)).as("the same problem keeps its time").isSameAs(first);
                assertThat(cloud.connections.get()).as("nothing changed: no reconnection").isEqualTo(connections);
                assertThat(tunnel.state().phase()).isEqualTo(Phase.ONLINE);
            } finally {
                tunnel.deactivate();
            }
            assertThat(tunnel.state().phase()).isEqualTo(Phase.STOPPED);
        }
    }

    @Test
    void backoffBaseLongerThanTheCapKeepsBoth() {
        TunnelSettingsTest.Defaults config = new TunnelSettingsTest.Defaults();
        config.base = 600_000;
        config.cap = 10;
        TunnelSettings.Checked checked = TunnelSettings.check(config, TunnelSettings.DEFAULTS);
        assertThat(checked.settings()).isEqualTo(TunnelSettings.DEFAULTS);
        assertThat(checked.problems()).singleElement().asString().contains("backoff_base_ms", "backoff_cap_seconds");
        assertThat(TunnelSettings.check(new TunnelSettingsTest.Defaults(), TunnelSettings.DEFAULTS).settings())
                .isEqualTo(TunnelSettings.from(new TunnelSettingsTest.Defaults()));
    }
}
