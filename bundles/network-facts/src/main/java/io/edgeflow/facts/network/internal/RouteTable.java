package io.edgeflow.facts.network.internal;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The IPv4 routing table of {@code /proc/net/route}. The kernel writes each address as the hexadecimal
 * value of a network-order word read in host order, so on the little-endian machines that run nearly
 * every gateway {@code 0001A8C0} is 192.168.1.0. Files copied from a big-endian machine would need the
 * other order; this reads them in the order of the machine it runs on.
 *
 * @param routes the routes, in file order
 * @param badLines how many lines could not be read
 */
record RouteTable(List<Route> routes, int badLines) {
    private static final int RTF_UP = 0x0001;

    /**
     * One route.
     *
     * @param iface the interface
     * @param destination destination address, network order
     * @param mask netmask, network order
     * @param flags route flags
     * @param metric route metric
     */
    record Route(String iface, int destination, int mask, int flags, long metric) {
        boolean isDefault() {
            return destination == 0 && mask == 0 && (flags & RTF_UP) != 0;
        }

        boolean covers(int address) {
            return mask != 0 && (flags & RTF_UP) != 0 && (address & mask) == (destination & mask);
        }
    }

    /**
     * @param text the file's text
     * @return the table; a file without the {@code Iface} header yields no routes and one bad line
     */
    static RouteTable parse(String text) {
        List<Route> routes = new ArrayList<>();
        int bad = 0;
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].strip().startsWith("Iface")) {
            return new RouteTable(List.of(), text.isBlank() ? 0 : 1);
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 8) {
                bad++;
                continue;
            }
            try {
                routes.add(new Route(f[0], address(f[1]), address(f[7]), Integer.parseInt(f[3], 16),
                        Long.parseLong(f[6])));
            } catch (IllegalArgumentException e) {
                bad++;
            }
        }
        return new RouteTable(List.copyOf(routes), bad);
    }

    /** @return the interface of the default route with the lowest metric (the first of equals) */
    Optional<String> defaultInterface() {
        Route best = null;
        for (Route r : routes) {
            if (r.isDefault() && (best == null || r.metric() < best.metric())) {
                best = r;
            }
        }
        return Optional.ofNullable(best).map(Route::iface);
    }

    /** @return the interface of the most specific non-default route that covers the address */
    Optional<String> interfaceFor(int address) {
        Route best = null;
        for (Route r : routes) {
            if (r.covers(address) && (best == null || Integer.bitCount(r.mask()) > Integer.bitCount(best.mask()))) {
                best = r;
            }
        }
        return Optional.ofNullable(best).map(Route::iface);
    }

    /** Reads 8 hexadecimal digits as the kernel wrote them and returns the address in network order. */
    static int address(String hex) {
        if (hex.length() != 8) {
            throw new IllegalArgumentException("not 8 hexadecimal digits");
        }
        byte[] b = HexFormat.of().parseHex(hex);
        int asWritten = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(asWritten) : asWritten;
    }
}
