package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Random random = new Random(42);
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5),
            bound -> (long) (random.nextDouble() * bound));

    @Test
    void theCeilingDoublesFromTheBaseUpToTheCap() {
        assertThat(backoff.ceilingMs(0)).isEqualTo(1000);
        assertThat(backoff.ceilingMs(1)).isEqualTo(2000);
        assertThat(backoff.ceilingMs(5)).isEqualTo(32_000);
        assertThat(backoff.ceilingMs(8)).isEqualTo(256_000);
        assertThat(backoff.ceilingMs(9)).isEqualTo(300_000);
        assertThat(backoff.ceilingMs(63)).isEqualTo(300_000);
        assertThat(backoff.ceilingMs(10_000)).as("no overflow, ever").isEqualTo(300_000);
    }

    @Test
    void fullJitterSpreadsDelaysOverTheWholeWindow() {
        long min = Long.MAX_VALUE;
        long max = 0;
        long sum = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long d = backoff.delay(3).toMillis();
            assertThat(d).isBetween(0L, 8000L);
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
        }
        assertThat(min).isLessThan(100);
        assertThat(max).isGreaterThan(7900);
        assertThat(sum / n).as("mean of a uniform 0..8 s").isBetween(3800L, 4200L);
    }

    @Test
    void aFleetThatLostTheCloudTogetherDoesNotReturnTogether() {
        // 1000 devices after their 6th failure in a row: spread over 64 s, not bunched
        int[] perSecond = new int[64];
        for (int i = 0; i < 1000; i++) {
            perSecond[(int) Math.min(63, backoff.delay(6).toMillis() / 1000)]++;
        }
        for (int count : perSecond) {
            assertThat(count).isLessThan(40);
        }
    }
}
