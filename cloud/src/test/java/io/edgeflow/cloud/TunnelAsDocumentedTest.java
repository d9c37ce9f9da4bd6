package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.tunnel.TunnelSettings;

/**
 * The tunnel as docs/protocol.md writes it, for someone who writes a client from the doc alone: times to
 * the second, the close of a silent tunnel, the exact message size limit.
 */
class TunnelAsDocumentedTest {
    /** The doc's time format: ISO-8601, UTC, whole seconds. */
    static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    @TempDir
    static Path dir;
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        // body limit 4096: the text limit is 4 x ceil(4096 / 3) + 65536 = 71000 characters
        cloud = new TestCloud(dir.resolve("data"), CloudSettings.DEFAULTS,
                TunnelSettings.DEFAULTS.withMaxBodyBytes(4096).withIdleTimeout(Duration.ofSeconds(3)));
        cloud.clock.advance(Duration.ofMillis(1_234)); // a time with a fraction of a second
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    static SimulatedDevice device() throws Exception {
        Answer d = cloud.provisionDevice();
        return SimulatedDevice.connect(cloud, d.text("device_id"), d.text("api_key"));
    }

    @Test
    void serverTimesAreWholeSecondsInUtc() throws Exception {
        try (SimulatedDevice device = device()) {
            JsonNode hello = device.next("hello");
            assertThat(hello.path("server_time").asText()).matches(TIME).isEqualTo("2026-03-01T00:00:01Z");
            device.send("{\"type\": \"heartbeat\", \"seq\": 1}");
            JsonNode ack = device.next("heartbeat_ack");
            assertThat(ack.path("server_time").asText()).matches(TIME);
            assertThat(Instant.parse(ack.path("server_time").asText())).isEqualTo("2026-03-01T00:00:01Z");
        }
    }

    @Test
    void aSilentTunnelIsClosedWith1001AndItsOwnReason() throws Exception {
        try (SimulatedDevice device = device()) {
            device.next("hello");
            assertThat(device.closed.get(20, TimeUnit.SECONDS)).isEqualTo("1001 Connection Idle Timeout");
        }
    }

    @Test
    void aTextMessageMayHoldExactlyTheDocumentedNumberOfCharacters() throws Exception {
        int limit = 4 * ((4096 + 2) / 3) + 65536;
        assertThat(limit).isEqualTo(71000);
        try (SimulatedDevice device = device()) {
            device.next("hello");
            device.send(padded(limit));
            assertThat(device.next("heartbeat_ack").path("seq").asLong()).isEqualTo(7);
            device.send(padded(limit + 1));
            assertThat(device.closed.get(10, TimeUnit.SECONDS)).startsWith("1009");
        }
    }

    @Test
    void aBinaryMessageOver64KiBClosesTheTunnel() throws Exception {
        try (SimulatedDevice device = device()) {
            device.next("hello");
            device.ws.sendBinary(ByteBuffer.allocate(65536), true).get(5, TimeUnit.SECONDS);
            assertThat(device.next("error").path("code").asText()).isEqualTo("invalid_frame");
            device.ws.sendBinary(ByteBuffer.allocate(65537), true).get(5, TimeUnit.SECONDS);
            assertThat(device.closed.get(10, TimeUnit.SECONDS)).startsWith("1009");
        }
    }

    /** A heartbeat of exactly {@code length} characters. */
    static String padded(int length) {
        String head = "{\"type\": \"heartbeat\", \"seq\": 7, \"pad\": \"";
        String tail = "\"}";
        return head + "x".repeat(length - head.length() - tail.length()) + tail;
    }
}
