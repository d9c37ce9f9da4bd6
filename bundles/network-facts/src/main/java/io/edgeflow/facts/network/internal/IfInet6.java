package io.edgeflow.facts.network.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The IPv6 addresses of {@code /proc/net/if_inet6}: one line per address, {@code address ifindex
 * prefix-length scope flags interface}, all but the interface in hexadecimal.
 *
 * @param entries the addresses, in file order
 * @param badLines how many lines could not be read
 */
record IfInet6(List<Entry> entries, int badLines) {

    /**
     * One address.
     *
     * @param iface the interface
     * @param address the address as text
     */
    record Entry(String iface, String address) {
    }

    /**
     * @param text the file's text
     * @return the addresses
     */
    static IfInet6 parse(String text) {
        List<Entry> entries = new ArrayList<>();
        int bad = 0;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != 6) {
                bad++;
                continue;
            }
            try {
                entries.add(new Entry(f[5], IpAddresses.format(IpAddresses.ipv6FromHex(f[0]))));
            } catch (IllegalArgumentException e) {
                bad++;
            }
        }
        return new IfInet6(List.copyOf(entries), bad);
    }
}
