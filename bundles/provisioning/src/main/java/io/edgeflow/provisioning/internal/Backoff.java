package io.edgeflow.provisioning.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th
 * retry waits a uniformly random time between 0 and {@code min(cap, base x 2^n)}. Devices that lost the
 * cloud together do not come back together. A {@code Retry-After} from the cloud is a floor.
 * <p>
 * Only durations: nothing here reads a wall clock, so a device that booted in 1970 backs off correctly.
 */
final class Backoff {
    /**
     * @param base the first ceiling, {@code base x 2^0}
     * @param cap the largest ceiling
     */
    record Policy(Duration base, Duration cap) {
        Policy {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(cap, "cap");
            if (base.isNegative() || base.isZero()) {
                throw new IllegalArgumentException("the first retry delay must be positive");
            }
            if (cap.compareTo(base) < 0) {
                cap = base;
            }
        }
    }

    private final Policy policy;
    private final LongUnaryOperator random;
    private int attempt;

    /**
     * @param policy base and cap
     * @param random given a bound n > 0, a uniformly random value in [0, n]
     */
    Backoff(Policy policy, LongUnaryOperator random) {
        this.policy = policy;
        this.random = random;
    }

    /** @return the ceiling of the next delay: {@code min(cap, base x 2^attempt)} */
    Duration ceiling() {
        long base = policy.base().toMillis();
        long cap = Math.max(base, policy.cap().toMillis());
        int shift = Math.min(attempt, 40);
        long ceiling = base > (cap >> shift) ? cap : base << shift;
        return Duration.ofMillis(Math.min(cap, ceiling));
    }

    /**
     * The next delay, and one more attempt counted.
     *
     * @param retryAfter the cloud's {@code Retry-After}, or null
     * @return how long to wait
     */
    Duration next(Duration retryAfter) {
        long ceiling = ceiling().toMillis();
        long delay = random.applyAsLong(ceiling);
        attempt++;
        if (retryAfter != null && retryAfter.toMillis() > delay) {
            delay = retryAfter.toMillis();
        }
        return Duration.ofMillis(delay);
    }

    /** @return failures counted since the last {@link #reset()} */
    int attempts() {
        return attempt;
    }

    /** Back to the first delay, after a success or a change of settings. */
    void reset() {
        attempt = 0;
    }
}
