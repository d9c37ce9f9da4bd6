package io.edgeflow.cloud.provisioning;

/**
 * Failed code attempts and lockouts that several nodes of one cloud count together ({@link BruteForceGuard}
 * keeps its own counts too, so attempts arriving together are still reserved in memory first).
 */
public interface SharedFailures {
    /**
     * @param key an address's key ({@link BruteForceGuard#key})
     * @return until when it is locked out on any node (ms since the epoch), or 0
     */
    long lockedUntil(String key);

    /**
     * Counts a failure of an address on this node; locks it out for every node when the failures of all
     * nodes within the window reach the limit.
     *
     * @param key the address's key
     * @param now when
     * @param windowMillis the window failures are counted in
     * @param maxFailures the limit
     * @param lockoutMillis how long a lockout lasts
     * @return true if this failure started a lockout
     */
    boolean failed(String key, long now, long windowMillis, int maxFailures, long lockoutMillis);
}
