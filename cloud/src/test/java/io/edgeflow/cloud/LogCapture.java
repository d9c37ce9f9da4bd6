package io.edgeflow.cloud;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What the server logs while a test runs. slf4j-simple writes to whatever {@code System.err} is at the
 * time of each line, so this tees it into a buffer (the lines still reach the console) until closed.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** @return everything logged so far */
    public String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** @return the lines logged so far */
    public List<String> lines() {
        return Arrays.stream(text().split("\n")).filter(l -> !l.isBlank()).toList();
    }

    /** @return the lines that contain {@code part} */
    public List<String> linesWith(String part) {
        return lines().stream().filter(l -> l.contains(part)).toList();
    }

    /** @return true if a stack trace was logged (a line of frames, or a "Caused by") */
    public boolean hasStackTrace() {
        return lines().stream().anyMatch(l -> l.startsWith("\tat ") || l.trim().startsWith("at ")
                && l.contains("(") || l.startsWith("Caused by:"));
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
