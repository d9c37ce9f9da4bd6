package io.edgeflow.tunnel.internal;

import java.time.Duration;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter: the n-th failure in a row (n from 0) waits a uniformly random
 * time from 0 to {@code min(cap, base * 2^n)}. Full jitter spreads a fleet that lost the cloud at the same
 * moment over the whole window, instead of having it return in waves.
 */
final class Backoff {
    private final long baseMs;
    private final long capMs;
    private final LongUnaryOperator random;

    /**
     * @param base ceiling of the first delay
     * @param cap longest delay
     * @param random given a bound {@code b > 0}, a uniformly random value from 0 to {@code b - 1}
     */
    Backoff(Duration base, Duration cap, LongUnaryOperator random) {
        this.baseMs = Math.max(1, base.toMillis());
        this.capMs = Math.max(baseMs, cap.toMillis());
        this.random = random;
    }

    /**
     * @param failures failures in a row before this one (0 for the first)
     * @return the ceiling of the delay after that many failures
     */
    long ceilingMs(int failures) {
        int shift = Math.min(Math.max(failures, 0), 40);
        long ceiling = baseMs << shift;
        return ceiling <= 0 || ceiling > capMs ? capMs : ceiling;
    }

    /**
     * @param failures failures in a row before this one (0 for the first)
     * @return the delay, from 0 to {@link #ceilingMs(int)}
     */
    Duration delay(int failures) {
        return Duration.ofMillis(random.applyAsLong(ceilingMs(failures) + 1));
    }
}
