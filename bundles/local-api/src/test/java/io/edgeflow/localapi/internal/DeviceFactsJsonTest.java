package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.edgeflow.api.facts.HardwareFacts;
import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkInterfaceFacts;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class DeviceFactsJsonTest {
    private static final HardwareFacts PI = new HardwareFacts("Raspberry Pi 4 Model B Rev 1.4", "device-tree", 4,
            3794L, "linux", "arm64", "6.1.0-rpi7-rpi-2712", "10000000934fe714", List.of());
    private static final NetworkFacts NET = new NetworkFacts("edgeflow-pi-001", "192.168.1.100",
            "dc:a6:32:01:02:03", "ethernet",
            List.of(new NetworkInterfaceFacts("eth0", "dc:a6:32:01:02:03", "ethernet", true,
                    List.of("192.168.1.100", "fe80::dea6:32ff:fe01:203"))),
            List.of("hostname: a warning"));

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void factsAreSnakeCaseUnderHardwareAndNetwork() throws Exception {
        JsonNode json = JsonServlet.JSON.readTree(JsonServlet.JSON.writeValueAsString(
                DeviceFactsServlet.toJson(() -> PI, () -> NET)));
        assertThat(fields(json)).containsExactly("hardware", "network");
        assertThat(fields(json.get("hardware"))).containsExactly("board_model", "board_model_source", "cpu_cores",
                "ram_mb", "os", "arch", "kernel", "serial", "warnings");
        assertThat(json.get("hardware").get("cpu_cores").asInt()).isEqualTo(4);
        assertThat(json.get("hardware").get("ram_mb").asLong()).isEqualTo(3794);
        assertThat(fields(json.get("network"))).containsExactly("hostname", "ip_address", "mac_address",
                "connection_type", "interfaces", "warnings");
        JsonNode eth0 = json.get("network").get("interfaces").get(0);
        assertThat(fields(eth0)).containsExactly("name", "mac", "type", "up", "addresses");
        assertThat(eth0.get("up").asBoolean()).isTrue();
        assertThat(eth0.get("addresses").get(1).asText()).isEqualTo("fe80::dea6:32ff:fe01:203");
        assertThat(json.get("network").get("warnings").get(0).asText()).isEqualTo("hostname: a warning");
    }

    @Test
    void unknownFactsAreNullAndAMissingProviderLeavesItsSectionNull() throws Exception {
        HardwareFacts unknown = new HardwareFacts(null, null, null, null, "linux", "amd64", null, null,
                List.of("board_model: not found"));
        JsonNode json = JsonServlet.JSON.readTree(JsonServlet.JSON.writeValueAsString(
                DeviceFactsServlet.toJson(() -> unknown, null)));
        assertThat(json.get("hardware").get("board_model").isNull()).isTrue();
        assertThat(json.get("hardware").get("cpu_cores").isNull()).isTrue();
        assertThat(json.get("network").isNull()).isTrue();
        assertThat(new DeviceFactsServlet(null, null).handlers()).containsOnlyKeys("GET");
    }
}
