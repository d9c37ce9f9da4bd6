package io.edgeflow.facts.network.internal;

import io.edgeflow.facts.files.RootFiles;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkInterfaceFacts;

/**
 * Reads the network facts of the machine whose {@code /proc} and {@code /sys} lie below a root. Never
 * throws: a fact it cannot establish is null, with a readable warning saying why.
 */
final class NetworkCollector {
    private static final String NET = "/sys/class/net";
    private static final int IFF_UP = 0x1;
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2})+");
    private static final Pattern ZERO_MAC = Pattern.compile("00(:00)+");
    private static final Pattern HOST_NAME = Pattern.compile("[\\p{Alnum}._-]{1,253}");

    private final Path root;
    private final LiveAddresses live;
    private final Supplier<String> jvmHostname;

    /**
     * @param root the machine's root, {@code /} on the device itself
     * @param live where addresses come from when the root is {@code /}; null to read them from the files
     * @param jvmHostname the Java runtime's host name, the last resort
     */
    NetworkCollector(Path root, LiveAddresses live, Supplier<String> jvmHostname) {
        this.root = root;
        this.live = live;
        this.jvmHostname = jvmHostname;
    }

    /** One interface as read, before its addresses are known. */
    private record Link(String name, int ifindex, String mac, String kind, boolean up) {
    }

    /** @return the facts, never null */
    NetworkFacts collect() {
        List<String> warnings = new ArrayList<>();
        RootFiles files = new RootFiles(root, warnings);
        String hostname = null;
        List<NetworkInterfaceFacts> interfaces = List.of();
        String ip = null;
        String mac = null;
        String connection = null;
        try {
            hostname = hostname(files);
            List<Link> links = links(files);
            RouteTable routes = routes(files);
            Map<String, List<String>> addresses = live != null ? liveAddresses(files, links)
                    : fileAddresses(files, links, routes);
            List<NetworkInterfaceFacts> facts = new ArrayList<>();
            for (Link link : links) {
                facts.add(new NetworkInterfaceFacts(link.name(), link.mac(), link.kind(), link.up(),
                        IpAddresses.ordered(addresses.getOrDefault(link.name(), List.of()))));
            }
            interfaces = facts;
            NetworkInterfaceFacts primary = primary(files, facts, routes);
            if (primary != null) {
                mac = primary.mac();
                connection = primary.type();
                ip = primary.addresses().stream().filter(a -> !IpAddresses.isLinkLocal(a)).findFirst().orElse(null);
                if (ip == null) {
                    files.warn("ip_address", "the primary interface " + primary.name() + " has no address");
                }
                if (mac == null && !InterfaceKind.OTHER.equals(connection)) {
                    files.warn("mac_address", "the primary interface " + primary.name() + " has no readable MAC");
                }
            }
        } catch (RuntimeException e) {
            files.warn("network", "not fully read because of an internal error (" + e + ")");
        }
        return new NetworkFacts(hostname, ip, mac, connection, interfaces, warnings);
    }

    private String hostname(RootFiles files) {
        String kernel = "/proc/sys/kernel/hostname";
        Optional<String> text = files.text(kernel, "hostname");
        if (text.isPresent()) {
            String name = text.get().strip();
            if (HOST_NAME.matcher(name).matches() && !name.equals("(none)")) {
                return name;
            }
            files.warn("hostname", files.show(kernel) + " holds no host name (" + printable(text.get()) + ")");
        }
        String etc = "/etc/hostname";
        Optional<String> etcText = files.text(etc, "hostname");
        if (etcText.isPresent()) {
            for (String line : etcText.get().split("\n")) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                if (HOST_NAME.matcher(name).matches()) {
                    return name;
                }
                files.warn("hostname", files.show(etc) + " holds no host name (" + printable(name) + ")");
                break;
            }
        }
        String jvm = null;
        try {
            jvm = jvmHostname.get();
        } catch (RuntimeException e) {
            // reported below
        }
        files.warn("hostname", "neither " + files.show(kernel) + " nor " + files.show(etc) + " names the host; "
                + (jvm == null ? "the Java runtime does not know it either" : "taken from the Java runtime"));
        return jvm;
    }

    private List<Link> links(RootFiles files) {
        if (!files.isDirectory(NET)) {
            files.warn("interfaces", files.show(NET) + " is missing: no interface can be listed");
            return List.of();
        }
        List<Link> links = new ArrayList<>();
        for (String name : files.list(NET, "interfaces")) {
            String dir = NET + "/" + name;
            if (!files.isDirectory(dir)) {
                continue; // bonding_masters and other files beside the interfaces
            }
            links.add(link(files, name, dir));
        }
        links.sort(Comparator.comparingInt(Link::ifindex).thenComparing(Link::name));
        return links;
    }

    private Link link(RootFiles files, String name, String dir) {
        String field = "interfaces." + name;
        int ifindex = files.text(dir + "/ifindex", field).map(String::strip).filter(s -> s.matches("\\d{1,9}"))
                .map(Integer::parseInt).orElse(Integer.MAX_VALUE);
        String mac = mac(files, dir, field);
        Map<String, String> uevent = uevent(files.text(dir + "/uevent", field).orElse(""));
        String devtype = uevent.get("DEVTYPE");
        boolean wireless = files.isDirectory(dir + "/wireless")
                || Files.exists(files.path(dir + "/phy80211"), LinkOption.NOFOLLOW_LINKS);
        boolean hasDevice = Files.exists(files.path(dir + "/device"), LinkOption.NOFOLLOW_LINKS);
        Integer arphrd = null;
        if (!wireless && !"wlan".equals(devtype) && !"wwan".equals(devtype)) {
            Optional<String> type = files.text(dir + "/type", field);
            if (type.isPresent() && type.get().strip().matches("\\d{1,5}")) {
                arphrd = Integer.parseInt(type.get().strip());
            } else {
                files.warn(field, files.show(dir + "/type") + (type.isPresent() ? " is not a number "
                        + printable(type.get()) : " is missing") + "; the interface counts as 'other'");
            }
        }
        String kind = InterfaceKind.of(wireless, devtype, arphrd, hasDevice);
        return new Link(name, ifindex, mac, kind, up(files, dir, field));
    }

    private static String mac(RootFiles files, String dir, String field) {
        Optional<String> text = files.text(dir + "/address", field);
        if (text.isEmpty()) {
            return null;
        }
        String mac = text.get().strip().toLowerCase(Locale.ROOT);
        if (mac.isEmpty() || ZERO_MAC.matcher(mac).matches()) {
            return null; // tun devices have none, loopback has zeros
        }
        if (!MAC.matcher(mac).matches()) {
            files.warn(field, files.show(dir + "/address") + " is not a hardware address " + printable(text.get()));
            return null;
        }
        return mac;
    }

    /** operstate {@code up}; or {@code unknown} (loopback, tunnels, many drivers) with IFF_UP set. */
    private static boolean up(RootFiles files, String dir, String field) {
        Optional<String> operstate = files.text(dir + "/operstate", field).map(String::strip);
        if (operstate.isPresent() && !operstate.get().equals("unknown")) {
            return operstate.get().equals("up");
        }
        Optional<String> flags = files.text(dir + "/flags", field).map(String::strip);
        Integer value = null;
        if (flags.isPresent() && flags.get().matches("0x[0-9a-fA-F]{1,8}")) {
            value = (int) Long.parseLong(flags.get().substring(2), 16);
        }
        if (operstate.isEmpty()) {
            files.warn(field, files.show(dir + "/operstate") + " is missing; "
                    + (value == null ? "the interface counts as down" : "up is judged by the IFF_UP flag"));
        }
        if (value == null) {
            if (flags.isPresent()) {
                files.warn(field, files.show(dir + "/flags") + " is not a flag word " + printable(flags.get()));
            }
            return false;
        }
        return (value & IFF_UP) != 0;
    }

    private static Map<String, String> uevent(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    private static RouteTable routes(RootFiles files) {
        String file = "/proc/net/route";
        Optional<String> text = files.expectedText(file, "routes", ": the primary interface is guessed");
        if (text.isEmpty()) {
            return new RouteTable(List.of(), 0);
        }
        RouteTable table = RouteTable.parse(text.get());
        if (table.badLines() > 0) {
            files.warn("routes", files.show(file) + ": " + table.badLines() + " line(s) could not be read");
        }
        return table;
    }

    private Map<String, List<String>> liveAddresses(RootFiles files, List<Link> links) {
        Map<String, List<String>> addresses = new LinkedHashMap<>();
        for (Link link : links) {
            try {
                addresses.put(link.name(), live.of(link.name()));
            } catch (SocketException | RuntimeException e) {
                files.warn("interfaces." + link.name(), "its addresses could not be read (" + e.getMessage() + ")");
            }
        }
        return addresses;
    }

    private static Map<String, List<String>> fileAddresses(RootFiles files, List<Link> links, RouteTable routes) {
        Map<String, List<String>> addresses = new LinkedHashMap<>();
        String loopback = links.stream().filter(l -> InterfaceKind.LOOPBACK.equals(l.kind())).map(Link::name)
                .findFirst().orElse("lo");
        String fibTrie = "/proc/net/fib_trie";
        Optional<String> trie = files.expectedText(fibTrie, "interfaces", ": IPv4 addresses are unknown");
        if (trie.isPresent()) {
            List<String> unmatched = new ArrayList<>();
            for (int address : FibTrie.localAddresses(trie.get())) {
                Optional<String> iface = (address >>> 24) == 127 ? Optional.of(loopback) : routes.interfaceFor(address);
                String text = IpAddresses.format(FibTrie.bytes(address));
                if (iface.isPresent()) {
                    addresses.computeIfAbsent(iface.get(), k -> new ArrayList<>()).add(text);
                } else {
                    unmatched.add(text);
                }
            }
            if (!unmatched.isEmpty()) {
                files.warn("interfaces", "IPv4 address(es) " + String.join(", ", unmatched) + " of " + files.show(
                        fibTrie) + " could not be matched to an interface: no route in /proc/net/route covers them");
            }
        }
        String ifInet6 = "/proc/net/if_inet6";
        Optional<String> inet6 = files.text(ifInet6, "interfaces");
        if (inet6.isPresent()) {
            IfInet6 parsed = IfInet6.parse(inet6.get());
            for (IfInet6.Entry e : parsed.entries()) {
                addresses.computeIfAbsent(e.iface(), k -> new ArrayList<>()).add(e.address());
            }
            if (parsed.badLines() > 0) {
                files.warn("interfaces", files.show(ifInet6) + ": " + parsed.badLines() + " line(s) could not be read");
            }
        }
        // a missing if_inet6 is normal: the kernel has no IPv6, or it is disabled
        return addresses;
    }

    private static NetworkInterfaceFacts primary(RootFiles files, List<NetworkInterfaceFacts> interfaces,
            RouteTable routes) {
        Optional<String> viaDefault = routes.defaultInterface();
        if (viaDefault.isPresent()) {
            Optional<NetworkInterfaceFacts> match = interfaces.stream().filter(i -> i.name().equals(viaDefault.get()))
                    .findFirst();
            if (match.isPresent()) {
                return match.get();
            }
            files.warn("ip_address", "the default route uses " + viaDefault.get() + ", which " + files.show(NET)
                    + " does not list");
        }
        Optional<NetworkInterfaceFacts> firstUp = interfaces.stream()
                .filter(i -> i.up() && InterfaceKind.isPhysical(i.type())).findFirst();
        if (firstUp.isEmpty()) {
            files.warn("ip_address", "no default route and no up ethernet, wifi or cellular interface: "
                    + "the device has no primary interface");
        }
        return firstUp.orElse(null);
    }

    static String printable(String text) {
        String s = text.strip();
        if (s.length() > 60) {
            s = s.substring(0, 60) + "…";
        }
        return "'" + s.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
