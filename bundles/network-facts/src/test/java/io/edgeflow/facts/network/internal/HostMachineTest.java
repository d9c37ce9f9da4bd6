package io.edgeflow.facts.network.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkInterfaceFacts;

import org.junit.jupiter.api.Test;

/** The collector on the machine that runs the test, checked against what {@code ip} and the kernel say. */
class HostMachineTest {

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
        return out;
    }

    private static boolean hasIp() {
        return Stream.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").anyMatch(p -> Files.isExecutable(
                Path.of(p)));
    }

    @Test
    void agreesWithIpAndTheKernel() throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux") && hasIp(), "a Linux machine with iproute2");
        NetworkFacts facts = NetworkFactsComponent.collector(Path.of("/")).collect();

        assertThat(facts.hostname()).isEqualTo(run("uname", "-n").strip());
        try (Stream<Path> names = Files.list(Path.of("/sys/class/net"))) {
            assertThat(facts.interfaces()).extracting(NetworkInterfaceFacts::name)
                    .containsExactlyInAnyOrderElementsOf(names.map(p -> p.getFileName().toString()).toList());
        }
        Map<String, List<String>> ipAddr = Fixtures.ipAddr(run("ip", "-o", "addr"));
        for (NetworkInterfaceFacts iface : facts.interfaces()) {
            assertThat(iface.addresses()).as(iface.name())
                    .containsExactlyInAnyOrderElementsOf(ipAddr.getOrDefault(iface.name(), List.of()));
            String link = run("ip", "-o", "link", "show", "dev", iface.name());
            if (iface.mac() != null) {
                assertThat(link).contains("link/ether " + iface.mac());
            }
            assertThat(iface.up()).as(iface.name() + " up").isEqualTo(link.contains("state UP")
                    || (link.contains("state UNKNOWN") && link.matches("(?s).*<([A-Z_,-]*,)?UP[,>].*")));
        }

        String defaults = run("ip", "-4", "route", "show", "default");
        if (!defaults.isBlank()) {
            String dev = defaults.lines().map(l -> l.split("\\s+")).map(f -> f[List.of(f).indexOf("dev") + 1])
                    .findFirst().orElseThrow(); // ip lists the lowest metric first
            NetworkInterfaceFacts primary = facts.interfaces().stream().filter(i -> i.name().equals(dev)).findFirst()
                    .orElseThrow();
            assertThat(facts.macAddress()).isEqualTo(primary.mac());
            assertThat(facts.connectionType()).isEqualTo(primary.type());
            assertThat(ipAddr.get(dev)).contains(facts.ipAddress());
            String src = run("ip", "-4", "route", "get", "192.0.2.123");
            if (src.contains(" src ")) {
                String[] f = src.strip().split("\\s+");
                assertThat(facts.ipAddress()).isEqualTo(f[List.of(f).indexOf("src") + 1]);
            }
        }
        assertThat(facts.warnings()).isEmpty();
    }
}
