package io.edgeflow.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Backoff.Policy DEFAULT = new Backoff.Policy(Duration.ofSeconds(1), Duration.ofMinutes(5));

    @Test
    void ceilingsDoubleUpToTheCap() {
        Backoff backoff = new Backoff(DEFAULT, bound -> bound);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            delays.add(backoff.next(null).toMillis());
        }
        assertThat(delays).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 64000L, 128000L, 256000L,
                300000L, 300000L, 300000L);
    }

    @Test
    void fullJitterSpreadsDelaysBetweenZeroAndTheCeiling() {
        Backoff backoff = new Backoff(DEFAULT, bound -> ThreadLocalRandom.current().nextLong(bound + 1));
        for (int i = 0; i < 5; i++) {
            backoff.next(null);
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        Backoff probe = new Backoff(DEFAULT, bound -> ThreadLocalRandom.current().nextLong(bound + 1));
        for (int i = 0; i < 1000; i++) {
            probe.reset();
            for (int j = 0; j < 5; j++) {
                probe.next(null);
            }
            long d = probe.next(null).toMillis();
            min = Math.min(min, d);
            max = Math.max(max, d);
            assertThat(d).isBetween(0L, 32000L);
        }
        assertThat(min).as("some devices retry early").isLessThan(3200);
        assertThat(max).as("some retry late").isGreaterThan(28800);
    }

    @Test
    void forEverWithoutOverflow() {
        Backoff backoff = new Backoff(DEFAULT, bound -> bound);
        for (int i = 0; i < 10_000; i++) {
            assertThat(backoff.next(null)).isLessThanOrEqualTo(Duration.ofMinutes(5)).isPositive();
        }
    }

    @Test
    void retryAfterIsAFloorAndResetStartsOver() {
        Backoff backoff = new Backoff(DEFAULT, bound -> 0);
        assertThat(backoff.next(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.next(null)).isEqualTo(Duration.ZERO);
        assertThat(backoff.attempts()).isEqualTo(2);
        backoff.reset();
        assertThat(backoff.ceiling()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aCapBelowTheBaseIsTheBase() {
        Backoff backoff = new Backoff(new Backoff.Policy(Duration.ofSeconds(2), Duration.ofSeconds(1)), bound -> bound);
        assertThat(backoff.next(null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.next(null)).isEqualTo(Duration.ofSeconds(2));
    }
}
