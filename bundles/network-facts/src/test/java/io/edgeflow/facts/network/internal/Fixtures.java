package io.edgeflow.facts.network.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fixture roots under src/test/fixtures; see SOURCES.md there for where each file came from. */
final class Fixtures {
    static final Path DIR = Path.of("src/test/fixtures");

    private Fixtures() {
    }

    static Path root(String name) {
        Path root = DIR.resolve(name);
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("no fixture " + root.toAbsolutePath());
        }
        return root;
    }

    static String text(String relative) {
        try {
            return Files.readString(DIR.resolve(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
