package io.edgeflow.cloud;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the cloud logs while a test runs. slf4j-simple writes every line to {@code System.err} as it is
 * when the line is written (it does not keep the stream it found at start-up unless told to, and the
 * cloud's tests do not tell it), so a copy of {@code System.err} sees every line; the lines still reach the
 * console too. Tests run one class at a time in one JVM: the capture sees only the lines of its own test.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    /** Starts capturing; {@link #close} stops. */
    public LogCapture() {
        original = System.err;
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                    captured.notifyAll();
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                    captured.notifyAll();
                }
                original.write(b, off, len);
            }

            @Override
            public void flush() {
                original.flush();
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** Starts capturing; {@link #close} stops. */
    public static LogCapture start() {
        return new LogCapture();
    }

    /** @return everything logged since the start, decoded as UTF-8 */
    public String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Waits until the log holds a text, woken by every write (no polling).
     *
     * @param text what to wait for
     * @param timeout how long at most
     * @throws AssertionError if it did not come in time
     */
    public void await(String text, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (captured) {
            while (!captured.toString(StandardCharsets.UTF_8).contains(text)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the log did not show '" + text + "' within " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(captured, left);
            }
        }
    }

    /** @return the lines logged since the start, without blank ones */
    public List<String> lines() {
        return text().lines().filter(l -> !l.isBlank()).toList();
    }

    /** @return the lines that contain {@code part} */
    public List<String> linesWith(String part) {
        return lines().stream().filter(l -> l.contains(part)).toList();
    }

    /** @return true if a stack trace was logged (a line of frames, or a "Caused by") */
    public boolean hasStackTrace() {
        return !stackTraceLines().isEmpty();
    }

    /** @return the lines that belong to a stack trace ({@code \tat ...}, {@code Caused by: ...}) */
    public List<String> stackTraceLines() {
        return lines().stream().filter(l -> l.startsWith("\tat ") || l.trim().startsWith("at ") && l.contains("(")
                || l.startsWith("Caused by:") || l.matches("\\s+\\.\\.\\. \\d+ more")).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
