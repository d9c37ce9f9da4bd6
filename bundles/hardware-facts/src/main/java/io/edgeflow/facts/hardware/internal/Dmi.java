package io.edgeflow.facts.hardware.internal;

import java.util.Locale;
import java.util.Set;

/**
 * The board model from DMI ({@code /sys/class/dmi/id/sys_vendor} and {@code product_name}), as x86
 * machines and some ARM servers report it. BIOS placeholders such as {@code To be filled by O.E.M.} count
 * as nothing.
 */
final class Dmi {
    private static final Set<String> PLACEHOLDERS = Set.of("to be filled by o.e.m.", "default string",
            "system manufacturer", "system product name", "not applicable", "not specified", "none", "oem",
            "o.e.m.", "unknown", "n/a", "na", "0123456789", "system version", "type1productconfigid");

    private Dmi() {
    }

    /**
     * @param vendor the system vendor, or null
     * @param product the product name, or null
     * @return {@code vendor product}, or the product alone; null when there is no real product name
     */
    static String model(String vendor, String product) {
        String p = meaningful(product);
        if (p == null) {
            return null;
        }
        String v = meaningful(vendor);
        if (v == null || p.toLowerCase(Locale.ROOT).startsWith(v.toLowerCase(Locale.ROOT))) {
            return p;
        }
        return v + " " + p;
    }

    private static String meaningful(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.isEmpty() || PLACEHOLDERS.contains(v.toLowerCase(Locale.ROOT))
                || v.chars().anyMatch(c -> Character.isISOControl(c) || c == '\uFFFD')) {
            return null;
        }
        return v;
    }
}
