package io.edgeflow.launcher;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The launcher's own log lines, in the agent's format ({@code 2026-12-03T14:57:32.848Z [INFO] Launcher - ...}, as
 * slf4j-simple writes them with the bndrun's settings), on standard error like the agent's. The launcher runs before
 * any logging bundle, so it writes them itself.
 */
final class LauncherLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private LauncherLog() {
    }

    static void info(String message) {
        System.err.println(line("INFO", message));
    }

    static void warn(String message) {
        System.err.println(line("WARN", message));
    }

    static String line(String level, String message) {
        return TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + " [" + level + "] Launcher - " + message;
    }
}
