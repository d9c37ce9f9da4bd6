package io.edgeflow.facts.hardware.internal;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code MemTotal} line of {@code /proc/meminfo}.
 */
final class MemInfo {
    private static final Pattern MEM_TOTAL = Pattern.compile("MemTotal:\\s*(\\d{1,15}) kB");

    private MemInfo() {
    }

    /**
     * @param text the file's text
     * @return total memory in MiB, rounded down; empty when there is no complete {@code MemTotal} line
     */
    static OptionalLong totalMib(String text) {
        for (String rawLine : text.split("\n", -1)) {
            String line = rawLine.strip();
            if (line.startsWith("MemTotal:")) {
                Matcher m = MEM_TOTAL.matcher(line);
                return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1)) / 1024) : OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
