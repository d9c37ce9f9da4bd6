package io.edgeflow.facts.hardware.internal;

import java.util.regex.Pattern;

/**
 * What {@code /proc/cpuinfo} says about the board: how many {@code processor} entries it lists, and its
 * {@code Model} and {@code Serial} lines where the kernel writes them (ARM boards, Raspberry Pi).
 * Tolerates the variations met in real files: tabs or spaces around the colon, CRLF line ends, no blank
 * lines between processors, and the old ARM {@code Processor : ARM720T} line, which names the CPU and is
 * not a processor entry.
 *
 * @param processors the number of {@code processor : N} entries; 0 when there are none
 * @param model the {@code Model} line, or null
 * @param serial the {@code Serial} line, or null
 */
record CpuInfo(int processors, String model, String serial) {
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** An empty or absent cpuinfo. */
    static final CpuInfo NONE = new CpuInfo(0, null, null);

    /**
     * @param text the file's text
     * @return what it says
     */
    static CpuInfo parse(String text) {
        int processors = 0;
        String model = null;
        String serial = null;
        for (String rawLine : text.split("\n", -1)) {
            String line = rawLine.endsWith("\r") ? rawLine.substring(0, rawLine.length() - 1) : rawLine;
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "processor" -> {
                    if (DIGITS.matcher(value).matches()) {
                        processors++;
                    }
                }
                case "Model" -> {
                    if (model == null && !value.isEmpty()) {
                        model = value;
                    }
                }
                case "Serial" -> {
                    if (serial == null && !value.isEmpty()) {
                        serial = value;
                    }
                }
                default -> {
                    // other lines describe the CPU, not the board
                }
            }
        }
        return new CpuInfo(processors, model, serial);
    }
}
