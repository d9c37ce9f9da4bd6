package io.edgeflow.facts.network.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What this bundle's tests share beyond {@link io.edgeflow.facts.fixtures.FixtureFiles}. */
final class Fixtures {
    private Fixtures() {
    }

    /** A collector that reads addresses from the files, as for any root but /. */
    static NetworkCollector fromFiles(Path root) {
        return new NetworkCollector(root, null, () -> "jvm-host");
    }

    /**
     * Reads the output of {@code ip -o addr}: interface name to its addresses, without prefix length.
     *
     * @param output the output
     * @return the addresses by interface, in output order
     */
    static Map<String, List<String>> ipAddr(String output) {
        Map<String, List<String>> addresses = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 4 || !(f[2].equals("inet") || f[2].equals("inet6"))) {
                continue;
            }
            String address = f[3].contains("/") ? f[3].substring(0, f[3].indexOf('/')) : f[3];
            addresses.computeIfAbsent(f[1], k -> new ArrayList<>()).add(address);
        }
        return addresses;
    }
}
