package io.edgeflow.tunnel.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition instead of sleeping a fixed time. */
final class Await {
    private Await() {
    }

    static void until(String what, Duration limit, BooleanSupplier condition) {
        until(what, limit, condition, () -> "");
    }

    static void until(String what, Duration limit, BooleanSupplier condition, Supplier<String> detail) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("Not within " + limit.toMillis() + " ms: " + what + " " + detail.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** @return milliseconds until the condition held */
    static long millisUntil(String what, Duration limit, BooleanSupplier condition, Supplier<String> detail) {
        long start = System.nanoTime();
        until(what, limit, condition, detail);
        return (System.nanoTime() - start) / 1_000_000;
    }
}
