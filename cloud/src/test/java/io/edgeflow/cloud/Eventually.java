package io.edgeflow.cloud;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits for a condition the cloud reaches on its own thread (a rollout's state): checks it, and again every 20 ms
 * until it holds or the time is up (what Awaitility does, without the dependency).
 */
final class Eventually {
    private static final Object MONITOR = new Object();

    private Eventually() {
    }

    static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(condition.call())) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            synchronized (MONITOR) {
                MONITOR.wait(20);
            }
        }
    }
}
