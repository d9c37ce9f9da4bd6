package io.edgeflow.facts.network.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local IPv4 addresses in {@code /proc/net/fib_trie}: each leaf {@code |-- a.b.c.d} followed by a
 * {@code /32 host LOCAL} line is an address of this machine. The file does not say which interface holds
 * it; {@link RouteTable#interfaceFor(int)} does.
 */
final class FibTrie {
    private static final Pattern LEAF = Pattern.compile("\\|-- (\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private FibTrie() {
    }

    /**
     * @param text the file's text
     * @return the local addresses in network order, each once, in file order
     */
    static List<Integer> localAddresses(String text) {
        Set<Integer> addresses = new LinkedHashSet<>();
        Integer leaf = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            Matcher m = LEAF.matcher(line);
            if (m.matches()) {
                leaf = null;
                int value = 0;
                boolean valid = true;
                for (int i = 1; i <= 4; i++) {
                    int octet = Integer.parseInt(m.group(i));
                    valid &= octet <= 255;
                    value = (value << 8) | (octet & 0xff);
                }
                if (valid) {
                    leaf = value;
                }
            } else if (line.startsWith("/32 host LOCAL") && leaf != null) {
                addresses.add(leaf);
            } else if (!line.startsWith("/")) {
                leaf = null; // a node line or a table name: the next /32 belongs to no leaf
            }
        }
        return new ArrayList<>(addresses);
    }

    /** @return the address as 4 bytes in network order */
    static byte[] bytes(int address) {
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }
}
