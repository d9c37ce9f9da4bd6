package io.edgeflow.facts.network.internal;

import io.edgeflow.facts.fixtures.FixtureFiles;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkInterfaceFacts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole machines: each fixture root is a copy of (part of) a real machine's /proc and /sys. */
class NetworkCollectorTest {

    private static Map<String, NetworkInterfaceFacts> byName(NetworkFacts facts) {
        return facts.interfaces().stream().collect(Collectors.toMap(NetworkInterfaceFacts::name, Function.identity()));
    }

    @Test
    void anX86VmWithOneEthernetAndADefaultRoute() {
        NetworkFacts facts = Fixtures.fromFiles(FixtureFiles.root("firecracker-vm")).collect();
        assertThat(facts.hostname()).isEqualTo("vm");
        assertThat(facts.interfaces()).extracting(NetworkInterfaceFacts::name)
                .containsExactly("lo", "ifb0", "ifb1", "eth0"); // in ifindex order
        Map<String, NetworkInterfaceFacts> i = byName(facts);
        assertThat(i.get("eth0").type()).isEqualTo("ethernet");
        assertThat(i.get("eth0").up()).isTrue();
        assertThat(i.get("eth0").mac()).isEqualTo(FixtureFiles.text("firecracker-vm/sys/class/net/eth0/address").strip());
        assertThat(i.get("lo").type()).isEqualTo("loopback");
        assertThat(i.get("lo").up()).isTrue(); // operstate unknown, IFF_UP set
        assertThat(i.get("lo").mac()).isNull();
        assertThat(i.get("ifb0").type()).isEqualTo("other");
        assertThat(i.get("ifb0").up()).isFalse();

        assertThat(facts.ipAddress()).isEqualTo("192.0.2.2");
        assertThat(facts.macAddress()).isEqualTo(i.get("eth0").mac());
        assertThat(facts.connectionType()).isEqualTo("ethernet");
        assertThat(facts.warnings()).isEmpty();
    }

    @Test
    void addressesReadFromTheFilesAreThoseIpShowed() {
        for (String fixture : new String[] {"firecracker-vm", "gateway-netns"}) {
            NetworkFacts facts = Fixtures.fromFiles(FixtureFiles.root(fixture)).collect();
            Map<String, List<String>> expected = Fixtures.ipAddr(FixtureFiles.text(fixture + "/ip-o-addr.txt"));
            for (NetworkInterfaceFacts iface : facts.interfaces()) {
                List<String> shown = expected.getOrDefault(iface.name(), List.of());
                if (iface.name().equals("tun0")) {
                    // a point-to-point address: no route covers 192.0.2.77, so the files cannot place it
                    assertThat(shown).containsExactly("192.0.2.77");
                    assertThat(iface.addresses()).isEmpty();
                    continue;
                }
                assertThat(iface.addresses()).as(fixture + " " + iface.name()).containsExactlyInAnyOrderElementsOf(
                        shown);
            }
        }
    }

    @Test
    void aGatewayWithABridgeTunnelsAndTwoDefaultRoutes() {
        NetworkFacts facts = Fixtures.fromFiles(FixtureFiles.root("gateway-netns")).collect();
        assertThat(facts.hostname()).isEqualTo("edgeflow-gw-07");
        Map<String, NetworkInterfaceFacts> i = byName(facts);
        assertThat(i.keySet()).containsExactlyInAnyOrder("lo", "br0", "veth0", "veth1", "tun0", "tap0", "vxlan42");
        assertThat(i.values()).filteredOn(x -> !x.name().equals("lo")).extracting(NetworkInterfaceFacts::type)
                .containsOnly("other"); // bridge, veth, tun, tap, vxlan: none is a physical link
        assertThat(i.get("br0").up()).isTrue();
        assertThat(i.get("vxlan42").up()).isTrue(); // operstate unknown, IFF_UP set
        assertThat(i.get("tap0").up()).isFalse(); // IFF_UP but no carrier: operstate down
        assertThat(i.get("tun0").mac()).isNull(); // a tun device has no hardware address
        assertThat(i.get("br0").addresses()).containsExactly("198.51.100.10", "2001:db8:100::10",
                "fe80::a825:eaff:fe3f:17cc");
        // the default route with metric 100 (vxlan42) wins over the one with 425 (br0)
        assertThat(facts.ipAddress()).isEqualTo("203.0.113.5");
        assertThat(facts.macAddress()).isEqualTo(i.get("vxlan42").mac());
        assertThat(facts.connectionType()).isEqualTo("other");
        assertThat(facts.warnings()).singleElement().asString().contains("192.0.2.77");
    }

    @Test
    void aRaspberryPiOnWifiWithoutRouteTable() {
        NetworkFacts facts = Fixtures.fromFiles(FixtureFiles.root("raspberry-pi-3-wlan0")).collect();
        NetworkInterfaceFacts wlan0 = facts.interfaces().get(0);
        assertThat(wlan0.name()).isEqualTo("wlan0");
        assertThat(wlan0.type()).isEqualTo("wifi");
        assertThat(wlan0.up()).isTrue(); // the copy has no operstate: IFF_UP of flags 0x1003 decides
        assertThat(facts.connectionType()).isEqualTo("wifi"); // no default route known: first up physical link
        assertThat(facts.macAddress()).isEqualTo("b8:27:eb:5d:e2:43");
        assertThat(facts.ipAddress()).isNull();
        assertThat(facts.hostname()).isEqualTo("jvm-host");
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("operstate is missing"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("route is missing"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("ip_address: "));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("hostname: "));
    }

    @Test
    void aBoardWithARouteButNoSysfsHasNoPrimaryAndSaysWhy() {
        NetworkFacts facts = Fixtures.fromFiles(FixtureFiles.root("sep4020-board")).collect();
        assertThat(facts.interfaces()).isEmpty();
        assertThat(facts.ipAddress()).isNull();
        assertThat(facts.connectionType()).isNull();
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("class/net is missing"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("no primary interface"));
    }

    @Test
    void emptyTruncatedAndUnreadableFilesGiveWarningsNotExceptions(@TempDir Path root) throws IOException {
        copy(FixtureFiles.root("firecracker-vm"), root);
        Files.write(root.resolve("proc/sys/kernel/hostname"), new byte[0]);
        Files.write(root.resolve("proc/net/route"), new byte[0]);
        String trie = Files.readString(root.resolve("proc/net/fib_trie"));
        Files.writeString(root.resolve("proc/net/fib_trie"), trie.substring(0, trie.length() / 3));
        Files.delete(root.resolve("sys/class/net/eth0/type"));
        Files.createDirectories(root.resolve("sys/class/net/eth0/type")); // a directory cannot be read
        Files.writeString(root.resolve("sys/class/net/ifb0/address"), "not a mac\n");
        NetworkFacts facts = Fixtures.fromFiles(root).collect();
        assertThat(facts.hostname()).isEqualTo("jvm-host");
        assertThat(byName(facts).get("eth0").type()).isEqualTo("other");
        assertThat(byName(facts).get("ifb0").mac()).isNull();
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("hostname: ").contains("hostname"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("eth0/type could not be read"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("ifb0/address is not a hardware address"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("no primary interface"));
    }

    @Test
    void aRootThatDoesNotExistGivesWarningsNotExceptions() {
        NetworkFacts facts = Fixtures.fromFiles(Path.of("/nonexistent/edgeflow-root")).collect();
        assertThat(facts.interfaces()).isEmpty();
        assertThat(facts.ipAddress()).isNull();
        assertThat(facts.warnings()).isNotEmpty();
    }

    /** Copies a fixture, keeping symlinks (an interface's device link) as links. */
    static void copy(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
