package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code GET /api/v1/device/facts} over real HTTP in the agent's own runtime: the facts of the machine
 * the agent runs on, and of a copied machine once the system root is pointed at it through Config
 * Admin (what EDGEFLOW_SYSROOT does at start).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceFactsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("facts").resolve("absent.env"), Map.of());
    }

    private String url() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + "/api/v1/device/facts";
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String read(String file) throws Exception {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    }

    @Test
    public void theFactsOfThisMachine() throws Exception {
        HttpResponse<String> response = Http.await(url(), 200, Duration.ofSeconds(20));
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertEquals(List.of("hardware", "network"), fields(body));

        JsonNode hardware = body.get("hardware");
        assertEquals(List.of("board_model", "board_model_source", "cpu_cores", "ram_mb", "os", "arch", "kernel",
                "serial", "warnings"), fields(hardware));
        assertEquals("linux", hardware.get("os").asText());
        assertEquals(read("/proc/sys/kernel/osrelease"), hardware.get("kernel").asText());
        assertTrue(hardware.get("cpu_cores").asInt() >= 1);
        assertTrue(hardware.get("ram_mb").asLong() > 0);
        assertTrue(hardware.get("arch").asText().matches("amd64|arm64|arm|386|riscv64|ppc64le|s390x|loong64"));

        JsonNode network = body.get("network");
        assertEquals(List.of("hostname", "ip_address", "mac_address", "connection_type", "interfaces", "warnings"),
                fields(network));
        assertEquals(read("/proc/sys/kernel/hostname"), network.get("hostname").asText());
        List<String> names = new ArrayList<>();
        for (JsonNode iface : network.get("interfaces")) {
            assertEquals(List.of("name", "mac", "type", "up", "addresses"), fields(iface));
            names.add(iface.get("name").asText());
            if (iface.get("type").asText().equals("loopback")) {
                assertTrue(iface.get("addresses").toString(), iface.get("addresses").toString().contains("127.0.0.1"));
            }
        }
        try (var entries = Files.list(Path.of("/sys/class/net"))) {
            assertEquals(entries.map(p -> p.getFileName().toString()).sorted().toList(),
                    names.stream().sorted().toList());
        }
    }

    @Test
    public void theSystemRootPointsTheCollectorsAtACopiedMachine() throws Exception {
        Http.await(url(), 200, Duration.ofSeconds(20));
        // the fixtures of the fact bundles: copies of a Raspberry Pi 3 and of a gateway's network
        Path bundles = EdgeFlowRuntime.launcherJar().getParent().getParent().getParent().resolve("bundles");
        Path pi = bundles.resolve("hardware-facts/src/test/fixtures/raspberry-pi-3");
        Path gateway = bundles.resolve("network-facts/src/test/fixtures/gateway-netns");
        assertTrue(pi.toString(), Files.isDirectory(pi));

        org.osgi.service.cm.Configuration hw = configAdmin.getConfiguration("io.edgeflow.facts.hardware", "?");
        org.osgi.service.cm.Configuration net = configAdmin.getConfiguration("io.edgeflow.facts.network", "?");
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("sysroot", pi.toString());
            hw.update(props);
            props.put("sysroot", gateway.toString());
            net.update(props);

            JsonNode body = awaitFacts(b -> b.path("hardware").path("board_model").asText().startsWith("Raspberry")
                    && b.path("network").path("hostname").asText().equals("edgeflow-gw-07"));
            JsonNode hardware = body.get("hardware");
            assertEquals("Raspberry Pi 3 Model B Rev 1.2", hardware.get("board_model").asText());
            assertEquals("device-tree", hardware.get("board_model_source").asText());
            assertEquals(4, hardware.get("cpu_cores").asInt());
            assertEquals("000000007881bb80", hardware.get("serial").asText());
            assertTrue(hardware.get("ram_mb").isNull()); // the copy has no meminfo, and says so
            assertTrue(hardware.get("warnings").toString(), hardware.get("warnings").toString().contains("ram_mb"));

            JsonNode network = body.get("network");
            assertEquals("203.0.113.5", network.get("ip_address").asText());
            assertEquals("other", network.get("connection_type").asText());
            assertEquals(7, network.get("interfaces").size());
        } finally {
            hw.delete();
            net.delete();
        }
        // back on this machine
        // (while a collector re-activates its section is briefly null: wait for both to be back)
        JsonNode back = awaitFacts(b -> b.path("network").isObject() && b.path("hardware").isObject()
                && !b.path("network").path("hostname").asText().equals("edgeflow-gw-07")
                && !b.path("hardware").path("board_model").asText().startsWith("Raspberry Pi 3"));
        assertFalse(back.get("network").get("interfaces").isEmpty());
    }

    private JsonNode awaitFacts(java.util.function.Predicate<JsonNode> condition) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = Http.get(url());
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200) {
                JsonNode body = JSON.readTree(response.body());
                if (condition.test(body)) {
                    return body;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the facts did not change as expected; last: " + last);
    }
}
