package io.edgeflow.cloud.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.MutableClock;

class BruteForceGuardTest {
    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-03-01T00:00:00Z"));
    private final BruteForceGuard guard = new BruteForceGuard(
            CloudSettings.DEFAULTS.withRateLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(5)), clock);

    @Test
    void ipv6AddressesAreCountedPer64() {
        assertThat(BruteForceGuard.key("2001:db8:1:2:aaaa::1")).isEqualTo(BruteForceGuard.key("[2001:db8:1:2::ffff]"));
        assertThat(BruteForceGuard.key("2001:db8:1:2::1")).isNotEqualTo(BruteForceGuard.key("2001:db8:1:3::1"));
        assertThat(BruteForceGuard.key("192.0.2.7")).isEqualTo("192.0.2.7");
        for (int i = 0; i < 3; i++) {
            guard.recordFailure("2001:db8:1:2::" + (i + 1));
        }
        assertThat(guard.lockedForSeconds("2001:db8:1:2::99")).isEqualTo(300);
        assertThat(guard.lockedForSeconds("2001:db8:1:3::1")).isZero();
    }

    @Test
    void theLockoutStartsAtTheLimitAndEnds() {
        assertThat(guard.recordFailure("192.0.2.1")).isFalse();
        assertThat(guard.recordFailure("192.0.2.1")).isFalse();
        assertThat(guard.lockedForSeconds("192.0.2.1")).isZero();
        assertThat(guard.recordFailure("192.0.2.1")).as("the third failure locks").isTrue();
        assertThat(guard.lockedForSeconds("192.0.2.1")).isEqualTo(300);
        assertThat(guard.lockedForSeconds("192.0.2.2")).isZero();
        clock.advance(Duration.ofSeconds(299));
        assertThat(guard.lockedForSeconds("192.0.2.1")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(guard.lockedForSeconds("192.0.2.1")).isZero();
    }

    @Test
    void attemptsUnderWayCountBeforeTheirCodesAreLookedUp() {
        BruteForceGuard.Attempt a = guard.reserve("192.0.2.9", "code-a");
        BruteForceGuard.Attempt b = guard.reserve("192.0.2.9", "code-b");
        BruteForceGuard.Attempt c = guard.reserve("192.0.2.9", "code-c");
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(c).isNotNull();
        assertThat(guard.reserve("192.0.2.9", "code-d")).as("three codes under way: as many as may fail").isNull();
        BruteForceGuard.Attempt again = guard.reserve("192.0.2.9", "code-a");
        assertThat(again).as("the same code again learns nothing new").isNotNull();
        assertThat(guard.reserve("192.0.2.10", "code-d")).as("another address").isNotNull();
        again.close();
        a.close(); // code-a was right: it stops counting
        BruteForceGuard.Attempt d = guard.reserve("192.0.2.9", "code-d");
        assertThat(d).isNotNull();
        assertThat(b.failed()).isFalse();
        assertThat(c.failed()).isFalse();
        b.close(); // closing after failed() changes nothing
        assertThat(guard.reserve("192.0.2.9", "code-e")).as("two failures and one under way").isNull();
        assertThat(d.failed()).as("the third failure locks").isTrue();
        assertThat(guard.lockedForSeconds("192.0.2.9")).isEqualTo(300);
        assertThat(guard.reserve("192.0.2.9", "code-a")).as("locked out, even a code seen before").isNull();
    }
}
