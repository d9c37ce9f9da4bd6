package io.edgeflow.facts.hardware.internal;

import java.util.Optional;

/**
 * The kernel release from {@code /proc/version}: its third word, as in
 * {@code Linux version 6.1.0-rpi7-rpi-2712 (...)}.
 */
final class KernelVersion {
    private KernelVersion() {
    }

    /**
     * @param text the file's text
     * @return the release; empty when the text does not start with {@code Linux version}
     */
    static Optional<String> fromProcVersion(String text) {
        String[] words = text.strip().split("\\s+");
        if (words.length < 3 || !words[0].equals("Linux") || !words[1].equals("version")) {
            return Optional.empty();
        }
        return release(words[2]);
    }

    /**
     * @param text a release as written, for example the content of {@code /proc/sys/kernel/osrelease}
     * @return the release; empty when it is empty or not one printable word
     */
    static Optional<String> release(String text) {
        String r = text.strip();
        if (r.isEmpty() || r.length() > 256 || !r.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            return Optional.empty();
        }
        return Optional.of(r);
    }
}
