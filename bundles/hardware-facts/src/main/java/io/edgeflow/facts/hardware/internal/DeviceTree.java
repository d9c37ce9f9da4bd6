package io.edgeflow.facts.hardware.internal;

import java.util.Optional;

/**
 * A device-tree string property such as {@code model} or {@code serial-number}: the bytes of the
 * string, normally ending in one NUL (some firmwares add none, or several).
 */
final class DeviceTree {
    /** Where the kernel shows the device tree; /proc/device-tree is a link to the second. */
    static final String[] DIRECTORIES = {"/proc/device-tree", "/sys/firmware/devicetree/base"};

    private DeviceTree() {
    }

    /**
     * @param text the property's bytes as text
     * @return its first string with trailing NULs and white space removed; empty when that is empty
     * @throws IllegalArgumentException when the string holds control characters or bytes that are not text
     */
    static Optional<String> string(String text) {
        int nul = text.indexOf('\0');
        String first = (nul < 0 ? text : text.substring(0, nul)).strip();
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFD') {
                throw new IllegalArgumentException("does not hold text");
            }
        }
        return first.isEmpty() ? Optional.empty() : Optional.of(first);
    }
}
