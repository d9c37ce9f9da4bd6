package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.edgeflow.api.facts.HardwareFacts;
import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkInterfaceFacts;
import io.edgeflow.http.json.JsonServlet;

import org.junit.jupiter.api.Test;

class DeviceFactsJsonTest {
    private static final HardwareFacts PI = new HardwareFacts("Raspberry Pi 4 Model B Rev 1.4", "device-tree", 4,
            3794L, "linux", "arm64", "6.1.0-rpi7-rpi-2712", "10000000934fe714", List.of());
    private static final NetworkFacts NET = new NetworkFacts("edgeflow-pi-001", "192.168.1.100",
            "dc:a6:32:01:02:03", "ethernet",
            List.of(new NetworkInterfaceFacts("eth0", "dc:a6:32:01:02:03", "ethernet", true,
                    List.of("192.168.1.100", "fe80::dea6:32ff:fe01:203"))),
            List.of("hostname: a warning"));

    /** Serialises as the servlet answers, and reads the answer back. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> roundTrip(Object body) throws Exception {
        return (Map<String, Object>) JsonServlet.JSON.read(JsonServlet.JSON.writePretty(body));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    @SuppressWarnings("unchecked")
    void factsAreSnakeCaseUnderHardwareAndNetwork() throws Exception {
        Map<String, Object> json = roundTrip(DeviceFactsServlet.toJson(() -> PI, () -> NET));
        assertThat(json.keySet()).containsExactly("hardware", "network");
        Map<String, Object> hardware = map(json.get("hardware"));
        assertThat(hardware.keySet()).containsExactly("board_model", "board_model_source", "cpu_cores", "ram_mb",
                "os", "arch", "kernel", "serial", "warnings");
        assertThat(((Number) hardware.get("cpu_cores")).intValue()).isEqualTo(4);
        assertThat(((Number) hardware.get("ram_mb")).longValue()).isEqualTo(3794);
        assertThat(hardware.get("board_model")).isEqualTo("Raspberry Pi 4 Model B Rev 1.4");
        Map<String, Object> network = map(json.get("network"));
        assertThat(network.keySet()).containsExactly("hostname", "ip_address", "mac_address", "connection_type",
                "interfaces", "warnings");
        Map<String, Object> eth0 = map(((List<?>) network.get("interfaces")).get(0));
        assertThat(eth0.keySet()).containsExactly("name", "mac", "type", "up", "addresses");
        assertThat(eth0.get("up")).isEqualTo(Boolean.TRUE);
        assertThat((List<Object>) eth0.get("addresses")).containsExactly("192.168.1.100", "fe80::dea6:32ff:fe01:203");
        assertThat((List<Object>) network.get("warnings")).containsExactly("hostname: a warning");
    }

    @Test
    @SuppressWarnings("unchecked")
    void unknownFactsAreNullAndAMissingProviderLeavesItsSectionNull() throws Exception {
        HardwareFacts unknown = new HardwareFacts(null, null, null, null, "linux", "amd64", null, null,
                List.of("board_model: not found"));
        Map<String, Object> json = roundTrip(DeviceFactsServlet.toJson(() -> unknown, null));
        assertThat(json).containsEntry("network", null);
        Map<String, Object> hardware = map(json.get("hardware"));
        assertThat(hardware).containsEntry("board_model", null).containsEntry("cpu_cores", null);
        assertThat((List<Object>) hardware.get("warnings")).containsExactly("board_model: not found");
        assertThat(new DeviceFactsServlet(null, null).handlers()).containsOnlyKeys("GET");
    }
}
