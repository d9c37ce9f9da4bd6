package io.edgeflow.facts.network.internal;

import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * IP addresses as text, the way {@code ip addr} writes them: IPv4 dotted, IPv6 in the RFC 5952 form
 * (lower case, leading zeros dropped, the longest run of zero groups as {@code ::}).
 */
final class IpAddresses {
    private IpAddresses() {
    }

    /**
     * @param address 4 or 16 bytes in network order
     * @return the address as text
     */
    static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
                    + (address[3] & 0xff);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8;) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /**
     * @param hex 32 hexadecimal digits, as in {@code /proc/net/if_inet6}
     * @return the 16 bytes
     * @throws IllegalArgumentException when it is not 32 hexadecimal digits
     */
    static byte[] ipv6FromHex(String hex) {
        if (hex.length() != 32) {
            throw new IllegalArgumentException("not 32 hexadecimal digits");
        }
        return HexFormat.of().parseHex(hex);
    }

    /** @return true for an IPv6 link-local address (fe80::/10) */
    static boolean isLinkLocal(String address) {
        String a = address.toLowerCase(java.util.Locale.ROOT);
        return a.startsWith("fe8") || a.startsWith("fe9") || a.startsWith("fea") || a.startsWith("feb");
    }

    /** @return IPv4 first, then global IPv6, then link-local IPv6; otherwise in the order given */
    static List<String> ordered(List<String> addresses) {
        return addresses.stream().distinct().sorted(Comparator.comparingInt(IpAddresses::rank)).toList();
    }

    private static int rank(String address) {
        if (!address.contains(":")) {
            return 0;
        }
        return isLinkLocal(address) ? 2 : 1;
    }
}
