package io.edgeflow.facts.hardware.internal;

import java.util.OptionalInt;

/**
 * A kernel CPU list such as {@code /sys/devices/system/cpu/online}: {@code 0-3}, {@code 0,2-5,7}.
 */
final class CpuList {
    /** More CPUs than any kernel supports: a list that says so is garbage. */
    private static final int MAX_CPUS = 1 << 16;

    private CpuList() {
    }

    /**
     * @param text the file's text
     * @return how many CPUs the list names; empty when the text is not a CPU list
     */
    static OptionalInt count(String text) {
        String list = text.strip();
        if (list.isEmpty()) {
            return OptionalInt.empty();
        }
        int total = 0;
        for (String part : list.split(",", -1)) {
            int dash = part.indexOf('-');
            try {
                if (dash < 0) {
                    parse(part);
                    total++;
                } else {
                    int first = parse(part.substring(0, dash));
                    int last = parse(part.substring(dash + 1));
                    if (last < first) {
                        return OptionalInt.empty();
                    }
                    total += last - first + 1;
                }
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
            if (total > MAX_CPUS) {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.of(total);
    }

    private static int parse(String number) {
        if (number.isEmpty() || !number.chars().allMatch(c -> c >= '0' && c <= '9') || number.length() > 6) {
            throw new NumberFormatException(number);
        }
        return Integer.parseInt(number);
    }
}
