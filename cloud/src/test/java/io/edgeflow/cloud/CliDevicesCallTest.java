package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.CliTest.Run;
import io.edgeflow.cloud.TestCloud.Answer;

/** {@code devices call ID METHOD PATH} and the tunnel columns of {@code devices list}, as an operator types them. */
class CliDevicesCallTest extends RunningCloud {
    static final String FACTS = "{\n  \"hardware\": {\"board_model\": \"Raspberry Pi 4 Model B Rev 1.4\"}\n}\n";

    private static Run admin(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--url", cloud.url(), "--data-dir", cloud.dataDir.toString()));
        return CliTest.cli(Map.of(), all.toArray(new String[0]));
    }

    @Test
    void callReachesTheDevicesLocalApiAndPrintsItsAnswer() throws Exception {
        Answer d = cloud.provisionDevice();
        String id = d.text("device_id");
        try (SimulatedDevice device = SimulatedDevice.connect(cloud, id, d.text("api_key"))) {
            device.next("hello");
            Thread answering = new Thread(() -> {
                try {
                    JsonNode request = device.next("request");
                    String status = request.path("path").asText().equals("/api/v1/device/facts") ? "200" : "404";
                    device.send("{\"type\": \"response\", \"id\": \"" + request.path("id").asText() + "\", \"status\": "
                            + status + ", \"headers\": {\"content-type\": \"application/json\"}, \"body\": \""
                            + Base64.getEncoder().encodeToString(FACTS.getBytes()) + "\"}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            answering.start();
            Run run = admin("devices", "call", id, "GET", "/api/v1/device/facts");
            answering.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(run.status()).as(run.toString()).isEqualTo(0);
            assertThat(run.out()).isEqualTo(FACTS);

            Run list = admin("devices", "list");
            assertThat(list.out()).contains("TUNNEL").contains("LAST HEARTBEAT");
            assertThat(list.out().lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow()).contains("online");
        }
    }

    @Test
    void anOfflineDeviceIsAnErrorWithItsCode() throws Exception {
        Answer d = cloud.provisionDevice();
        Run run = admin("devices", "call", d.text("device_id"), "GET", "/api/v1/device/facts");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).contains("\"error\" : \"device_offline\"");
        assertThat(run.err()).contains("error: device_offline (HTTP 502)");
    }

    @Test
    void mistakesAreExplained() {
        assertThat(admin("devices", "call", "dev_x", "GET").status()).isEqualTo(2);
        Run method = admin("devices", "call", "dev_x", "PATCH", "/api/v1/x");
        assertThat(method.status()).isEqualTo(2);
        assertThat(method.err()).contains("GET, POST, PUT or DELETE");
        Run path = admin("devices", "call", "dev_x", "GET", "/system/console");
        assertThat(path.status()).isEqualTo(2);
        assertThat(path.err()).contains("/api/v1/");
        Run help = admin("devices", "call", "--help");
        assertThat(help.status()).isEqualTo(0);
        assertThat(help.out()).contains("devices call dev_... GET /api/v1/device/facts");
    }
}
