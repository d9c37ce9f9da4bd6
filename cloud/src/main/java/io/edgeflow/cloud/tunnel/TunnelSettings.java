package io.edgeflow.cloud.tunnel;

import java.time.Duration;

/**
 * The server settings of the tunnel. Validated on construction: a bad value fails start-up with a
 * message naming the option.
 *
 * @param idleTimeout a tunnel on which nothing arrived for this long is closed (devices send heartbeats
 *        well within it: the {@code hello} frame tells them)
 * @param requestTimeout how long a request forwarded to a device may take before the caller gets 504
 * @param maxBodyBytes largest request or response body forwarded through a tunnel
 * @param maxPendingPerTunnel requests that may wait for one device's answers at once; more get 503
 */
public record TunnelSettings(Duration idleTimeout, Duration requestTimeout, int maxBodyBytes,
        int maxPendingPerTunnel) {

    /** Idle timeout 90 s (three default heartbeats of 30 s), requests 30 s, bodies 1 MiB, 64 pending. */
    public static final TunnelSettings DEFAULTS = new TunnelSettings(Duration.ofSeconds(90), Duration.ofSeconds(30),
            1024 * 1024, 64);

    /** Checks every value. */
    public TunnelSettings {
        if (idleTimeout == null || idleTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException("--tunnel-idle-timeout must be at least 1 s, not " + idleTimeout);
        }
        if (requestTimeout == null || requestTimeout.toMillis() <= 0) {
            throw new IllegalArgumentException("--tunnel-request-timeout must be a positive duration, not "
                    + requestTimeout);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("--tunnel-max-body must be from 1024 to 16777216 bytes, not "
                    + maxBodyBytes);
        }
        if (maxPendingPerTunnel < 1) {
            throw new IllegalArgumentException("the pending request limit must be at least 1, not "
                    + maxPendingPerTunnel);
        }
    }

    /**
     * @return the largest text frame accepted: a body of {@link #maxBodyBytes} in base64 plus room for
     *         the other fields
     */
    public long maxFrameChars() {
        return (maxBodyBytes + 2L) / 3 * 4 + 64 * 1024;
    }

    /**
     * @param idle new idle timeout
     * @return a copy
     */
    public TunnelSettings withIdleTimeout(Duration idle) {
        return new TunnelSettings(idle, requestTimeout, maxBodyBytes, maxPendingPerTunnel);
    }

    /**
     * @param timeout new request timeout
     * @return a copy
     */
    public TunnelSettings withRequestTimeout(Duration timeout) {
        return new TunnelSettings(idleTimeout, timeout, maxBodyBytes, maxPendingPerTunnel);
    }

    /**
     * @param bytes new body limit
     * @return a copy
     */
    public TunnelSettings withMaxBodyBytes(int bytes) {
        return new TunnelSettings(idleTimeout, requestTimeout, bytes, maxPendingPerTunnel);
    }
}
