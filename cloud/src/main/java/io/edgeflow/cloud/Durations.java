package io.edgeflow.cloud;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: {@code 24h}, {@code 10m}, {@code 90s}, {@code 30d}, {@code 1h30m}, or plain seconds. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");

    private Durations() {
    }

    /**
     * @param text the duration
     * @param option the option it was given to, for the error message
     * @return the duration
     * @throws IllegalArgumentException naming the option if the text is not a duration
     */
    public static Duration parse(String text, String option) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    /**
     * @param text the duration
     * @return the duration
     * @throws IllegalArgumentException saying what is wrong with the text
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            Matcher m = PART.matcher(t);
            Duration total = Duration.ZERO;
            int end = 0;
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms" -> total = total.plusMillis(n);
                    case "d" -> total = total.plusDays(n);
                    case "h" -> total = total.plusHours(n);
                    case "m" -> total = total.plusMinutes(n);
                    default -> total = total.plusSeconds(n);
                }
                end = m.end();
            }
            if (end == t.length() && end > 0) {
                return total;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // answered below
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration; write for example 90s, 10m, 24h, 30d or 1h30m");
    }

    /**
     * @param d a duration
     * @return it written compactly, {@code 1d2h}, {@code 10m}, {@code 45s}
     */
    public static String format(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        StringBuilder b = new StringBuilder();
        long days = s / 86400;
        long hours = s % 86400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            b.append(days).append('d');
        }
        if (hours > 0) {
            b.append(hours).append('h');
        }
        if (minutes > 0) {
            b.append(minutes).append('m');
        }
        if (seconds > 0) {
            b.append(seconds).append('s');
        }
        return b.toString();
    }
}
