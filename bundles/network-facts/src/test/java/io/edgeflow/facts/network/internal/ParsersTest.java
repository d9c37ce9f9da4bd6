package io.edgeflow.facts.network.internal;

import io.edgeflow.facts.fixtures.FixtureFiles;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Each parser against real files (see src/test/fixtures/SOURCES.md) and against their truncations. */
class ParsersTest {

    private static String ip(int address) {
        return IpAddresses.format(FibTrie.bytes(address));
    }

    @Test
    void aDefaultRouteIsFound() {
        RouteTable table = RouteTable.parse(FixtureFiles.text("firecracker-vm/proc/net/route"));
        assertThat(table.badLines()).isZero();
        assertThat(table.routes()).hasSize(2);
        assertThat(table.defaultInterface()).hasValue("eth0");
        assertThat(table.interfaceFor(0xC0000202)).hasValue("eth0"); // 192.0.2.2 in 192.0.2.0/24
    }

    @Test
    void theDefaultRouteWithTheLowestMetricWinsWhateverTheOrder() {
        String file = FixtureFiles.text("gateway-netns/proc/net/route");
        assertThat(RouteTable.parse(file).defaultInterface()).hasValue("vxlan42"); // metric 100 before br0's 425
        List<String> lines = new ArrayList<>(List.of(file.split("\n")));
        Collections.reverse(lines.subList(1, lines.size())); // the same routes, listed the other way round
        assertThat(RouteTable.parse(String.join("\n", lines)).defaultInterface()).hasValue("vxlan42");
    }

    @Test
    void aBoardWithoutDefaultRouteHasNone() {
        RouteTable table = RouteTable.parse(FixtureFiles.text("sep4020-board/proc/net/route"));
        assertThat(table.defaultInterface()).isEmpty();
        assertThat(table.interfaceFor(0xC0A8010A)).hasValue("eth0"); // 192.168.1.10 in 192.168.1.0/24
        assertThat(table.interfaceFor(0x0A000001)).isEmpty();
    }

    @Test
    void garbledRouteTablesAreCounted() {
        String file = FixtureFiles.text("sep4020-board/proc/net/route");
        assertThat(RouteTable.parse(file.substring(0, 150)).badLines()).isEqualTo(1); // cut inside the route line
        assertThat(RouteTable.parse(file.substring(40)).badLines()).isEqualTo(1); // header cut off
        assertThat(RouteTable.parse("").routes()).isEmpty();
        assertThat(RouteTable.parse("").badLines()).isZero();
    }

    @Test
    void localAddressesComeFromTheFibTrie() {
        assertThat(FibTrie.localAddresses(FixtureFiles.text("firecracker-vm/proc/net/fib_trie")))
                .extracting(ParsersTest::ip).containsExactly("127.0.0.1", "192.0.2.2");
        assertThat(FibTrie.localAddresses(FixtureFiles.text("gateway-netns/proc/net/fib_trie")))
                .extracting(ParsersTest::ip)
                .containsExactlyInAnyOrder("127.0.0.1", "192.0.2.77", "198.51.100.10", "203.0.113.5");
        assertThat(FibTrie.localAddresses("")).isEmpty();
        String cut = FixtureFiles.text("firecracker-vm/proc/net/fib_trie");
        cut = cut.substring(0, cut.indexOf("/32 host LOCAL", cut.indexOf("192.0.2.2")));
        assertThat(FibTrie.localAddresses(cut)).extracting(ParsersTest::ip).containsExactly("127.0.0.1");
    }

    @Test
    void ipv6AddressesComeFromIfInet6() {
        IfInet6 parsed = IfInet6.parse(FixtureFiles.text("firecracker-vm/proc/net/if_inet6"));
        assertThat(parsed.badLines()).isZero();
        assertThat(parsed.entries()).containsExactly(new IfInet6.Entry("lo", "::1"),
                new IfInet6.Entry("eth0", "fd00::2"), new IfInet6.Entry("eth0", "fe80::fc:ff:fe00:1"));
        String file = FixtureFiles.text("gateway-netns/proc/net/if_inet6");
        IfInet6 cut = IfInet6.parse(file.substring(0, 70)); // the second line cut short
        assertThat(cut.entries()).containsExactly(new IfInet6.Entry("br0", "2001:db8:100::10"));
        assertThat(cut.badLines()).isEqualTo(1);
    }

    @Test
    void ipv6IsWrittenAsIpWritesIt() {
        assertThat(IpAddresses.format(IpAddresses.ipv6FromHex("00000000000000000000000000000000"))).isEqualTo("::");
        assertThat(IpAddresses.format(IpAddresses.ipv6FromHex("20010db8000000010000000000000001")))
                .isEqualTo("2001:db8:0:1::1");
        assertThat(IpAddresses.format(IpAddresses.ipv6FromHex("20010db8000000000001000000000001")))
                .isEqualTo("2001:db8::1:0:0:1"); // the first of two equal runs
        assertThat(IpAddresses.format(IpAddresses.ipv6FromHex("20010db8000100010001000100010001")))
                .isEqualTo("2001:db8:1:1:1:1:1:1");
        assertThat(IpAddresses.ordered(List.of("fe80::1", "2001:db8::1", "192.0.2.1", "192.0.2.1")))
                .containsExactly("192.0.2.1", "2001:db8::1", "fe80::1");
    }

    @Test
    void interfaceKinds() {
        assertThat(InterfaceKind.of(false, "wlan", null, true)).isEqualTo("wifi");
        assertThat(InterfaceKind.of(true, null, 1, true)).isEqualTo("wifi");
        assertThat(InterfaceKind.of(false, "wwan", 65534, true)).isEqualTo("cellular");
        assertThat(InterfaceKind.of(false, null, 772, false)).isEqualTo("loopback");
        assertThat(InterfaceKind.of(false, null, 1, true)).isEqualTo("ethernet");
        assertThat(InterfaceKind.of(false, "gadget", 1, true)).isEqualTo("ethernet");
        assertThat(InterfaceKind.of(false, "bridge", 1, false)).isEqualTo("other");
        assertThat(InterfaceKind.of(false, "vlan", 1, false)).isEqualTo("other");
        assertThat(InterfaceKind.of(false, null, 1, false)).isEqualTo("other"); // veth, tap
        assertThat(InterfaceKind.of(false, null, 32, true)).isEqualTo("other"); // infiniband
        assertThat(InterfaceKind.of(false, null, null, true)).isEqualTo("other");
    }
}
