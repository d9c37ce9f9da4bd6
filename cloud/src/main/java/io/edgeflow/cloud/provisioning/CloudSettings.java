package io.edgeflow.cloud.provisioning;

import java.time.Duration;

/**
 * The server settings that shape provisioning. Validated on construction: a bad value fails start-up
 * with a message naming the option.
 *
 * @param defaultCodeTtl TTL of a code created without {@code ttl_seconds}
 * @param maxCodeTtl largest TTL a code may be given
 * @param claimGrace how long a registration that was answered holds its code unconfirmed
 * @param keyLifetime lifetime of an API key ({@code expires_at})
 * @param rotationOverlap how long the previous key keeps working after a rotation, unless the new one
 *        is confirmed first
 * @param maxFailedAttempts failed code attempts one source address may make within {@code failedWindow}
 * @param failedWindow the window those attempts are counted in
 * @param lockout how long an address that went over the limit is refused
 */
public record CloudSettings(Duration defaultCodeTtl, Duration maxCodeTtl, Duration claimGrace, Duration keyLifetime,
        Duration rotationOverlap, int maxFailedAttempts, Duration failedWindow, Duration lockout) {

    /** The defaults: codes 24 h (at most 30 days), claims 10 min, keys a year, overlap 24 h, 10 failures a minute then 15 min out. */
    public static final CloudSettings DEFAULTS = new CloudSettings(Duration.ofHours(24), Duration.ofDays(30),
            Duration.ofMinutes(10), Duration.ofDays(365), Duration.ofHours(24), 10, Duration.ofMinutes(1),
            Duration.ofMinutes(15));

    /** Checks every value. */
    public CloudSettings {
        positive(defaultCodeTtl, "--default-code-ttl");
        positive(maxCodeTtl, "--max-code-ttl");
        positive(claimGrace, "--claim-grace");
        positive(keyLifetime, "--key-lifetime");
        positive(rotationOverlap, "--rotation-overlap");
        positive(failedWindow, "--failed-attempt-window");
        positive(lockout, "--lockout");
        if (defaultCodeTtl.compareTo(maxCodeTtl) > 0) {
            throw new IllegalArgumentException("--default-code-ttl (" + defaultCodeTtl.toSeconds()
                    + " s) is longer than --max-code-ttl (" + maxCodeTtl.toSeconds() + " s)");
        }
        if (maxFailedAttempts < 1) {
            throw new IllegalArgumentException("--max-failed-attempts must be at least 1, not " + maxFailedAttempts);
        }
    }

    private static void positive(Duration d, String option) {
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() <= 0) {
            throw new IllegalArgumentException(option + " must be a positive duration, not " + d);
        }
    }

    /**
     * @param ttl new default code TTL
     * @param max new maximum code TTL
     * @return a copy with those TTLs
     */
    public CloudSettings withCodeTtl(Duration ttl, Duration max) {
        return new CloudSettings(ttl, max, claimGrace, keyLifetime, rotationOverlap, maxFailedAttempts,
                failedWindow, lockout);
    }

    /**
     * @param grace new claim grace
     * @return a copy
     */
    public CloudSettings withClaimGrace(Duration grace) {
        return new CloudSettings(defaultCodeTtl, maxCodeTtl, grace, keyLifetime, rotationOverlap, maxFailedAttempts,
                failedWindow, lockout);
    }

    /**
     * @param lifetime new key lifetime
     * @param overlap new rotation overlap
     * @return a copy
     */
    public CloudSettings withKeys(Duration lifetime, Duration overlap) {
        return new CloudSettings(defaultCodeTtl, maxCodeTtl, claimGrace, lifetime, overlap, maxFailedAttempts,
                failedWindow, lockout);
    }

    /**
     * @param max new limit of failed attempts
     * @param window new counting window
     * @param lock new lockout
     * @return a copy
     */
    public CloudSettings withRateLimit(int max, Duration window, Duration lock) {
        return new CloudSettings(defaultCodeTtl, maxCodeTtl, claimGrace, keyLifetime, rotationOverlap, max, window,
                lock);
    }
}
