package io.edgeflow.cloud.server;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.cloud.LogText;

/**
 * Mistakes and misbehaviour of clients (a malformed or aborted body, a stalled upload, too many
 * connections from one address), logged at WARN without a stack trace and at most once per kind per
 * interval: a flood of bad requests costs a line a minute, not the disk. The next line of a kind says how
 * many were left out since the last one.
 */
final class ClientFaultLog {
    /** One line per kind per minute. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger("io.edgeflow.cloud.clients");

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Kind> kinds = new ConcurrentHashMap<>();

    private static final class Kind {
        /** When the last line of this kind was written; Long.MIN_VALUE: never. */
        long lastLogged = Long.MIN_VALUE;
        final AtomicLong suppressed = new AtomicLong();
    }

    ClientFaultLog() {
        this(DEFAULT_INTERVAL, System::nanoTime);
    }

    ClientFaultLog(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Logs one fault, unless a line of the same kind was written within the interval (then it is only counted).
     *
     * @param kind a stable name of the fault (the first word of the line)
     * @param format an SLF4J message pattern; the arguments are the caller's, never a secret or a body
     * @param args its arguments
     */
    void warn(String kind, String format, Object... args) {
        Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
        long now = nanoTime.getAsLong();
        long suppressed;
        synchronized (k) {
            if (k.lastLogged != Long.MIN_VALUE && now - k.lastLogged < intervalNanos) {
                k.suppressed.incrementAndGet();
                return;
            }
            k.lastLogged = now;
            suppressed = k.suppressed.getAndSet(0);
        }
        Object[] all = new Object[args.length + 1];
        all[0] = kind;
        for (int i = 0; i < args.length; i++) {
            // a Throwable as the last argument would make SLF4J print its stack trace
            all[i + 1] = args[i] instanceof Throwable t ? escape(t.toString())
                    : args[i] instanceof CharSequence c ? escape(c.toString()) : args[i];
        }
        String line = "{}: " + format;
        if (suppressed > 0) {
            line += " ({} more of this kind since the last such line, not logged)";
            Object[] more = new Object[all.length + 1];
            System.arraycopy(all, 0, more, 0, all.length);
            more[all.length] = suppressed;
            all = more;
        }
        LOG.warn(line, all);
    }

    /** What a client sent goes into the log with its control characters escaped: one line stays one line. */
    static String escape(String s) {
        return LogText.of(s);
    }
}
