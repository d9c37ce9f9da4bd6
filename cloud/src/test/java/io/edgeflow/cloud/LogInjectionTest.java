package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.TestCloud.Answer;

/**
 * A device cannot write lines into the cloud's log: what it sends (an error frame's code and message, its
 * close reason) is logged with control characters escaped, each log call staying one line.
 */
class LogInjectionTest extends RunningCloud {
    @Test
    void aDeviceCannotWriteASecondLogLine() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        String forged = "FORGED [cloud-http-1] ERROR io.edgeflow.cloud.server.ApiHandler - admin token leaked";
        try (LogCapture log = LogCapture.start()) {
            try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
                device.next("hello");
                String json = TestCloud.JSON.writeValueAsString(java.util.Map.of("type", "error",
                        "code", "c\r\n" + forged + "\u2028" + forged,
                        "message", "m\n" + forged + "\r" + forged + "\u0085" + forged + "\u2029" + forged
                                + "\u202e" + "\u001b[2J" + forged));
                device.send(json);
                // the close reason is the device's own text too
                device.ws.sendClose(1000, "bye\n" + forged).get(5, TimeUnit.SECONDS);
                device.closed.get(5, TimeUnit.SECONDS);
            }
            log.await("closed (1000 bye", Duration.ofSeconds(10));
            List<String> lines = log.lines();
            assertThat(lines).filteredOn(l -> l.contains("FORGED")).isNotEmpty()
                    .allSatisfy(l -> assertThat(l).contains("Tunnel of " + id));
            String all = log.text();
            assertThat(all).doesNotContain("\r").doesNotContain("\u2028").doesNotContain("\u2029")
                    .doesNotContain("\u0085").doesNotContain("\u202e").doesNotContain("\u001b");
            assertThat(all).contains("the device reported c\\u000d\\u000aFORGED").contains("\\u2028FORGED")
                    .contains("\\u202e\\u001b[2J").contains("closed (1000 bye\\u000aFORGED");
        }
    }

    @Test
    void controlCharactersAreEscapedAndLongTextIsCut() {
        assertThat(LogText.of("a\nb\rc\td\\e")).isEqualTo("a\\u000ab\\u000dc\\u0009d\\\\e");
        assertThat(LogText.of("\u0000\u007f\u009b\u2028\u2029\u200e\u2067\ufeff"))
                .isEqualTo("\\u0000\\u007f\\u009b\\u2028\\u2029\\u200e\\u2067\\ufeff");
        assertThat(LogText.of("plain text, ünïcödé, 日本")).isEqualTo("plain text, ünïcödé, 日本");
        assertThat(LogText.of(null)).isEqualTo("null");
        assertThat(LogText.of("x".repeat(600))).isEqualTo("x".repeat(500) + "...(100 more characters)");
    }
}
