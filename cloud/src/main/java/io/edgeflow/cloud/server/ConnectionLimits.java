package io.edgeflow.cloud.server;

import java.time.Duration;

/**
 * What one client may hold of the server: how long its request body may take, how long a connection may
 * stay silent, how many HTTP connections one source address may hold open and open per second. Device
 * tunnels (upgraded to WebSocket) are not counted against the per-address limits: thousands of devices
 * behind one NAT address are a normal sight. Validated on construction: a bad value fails start-up with a
 * message naming the option.
 *
 * @param bodyTimeout a request body must arrive whole within this long (plus a second per 64 KiB), else
 *        {@code 408} and the connection is closed
 * @param idleTimeout an HTTP connection on which nothing arrives for this long is closed, and a new one must
 *        have sent its first request head within it (however slowly its bytes trickle in)
 * @param maxConnectionsPerAddress HTTP connections one source address may hold open; 0 for no limit
 * @param maxConnectionsPerSecondPerAddress new connections one source address may open per second, with
 *        bursts of twice as many; 0 for no limit
 */
public record ConnectionLimits(Duration bodyTimeout, Duration idleTimeout, int maxConnectionsPerAddress,
        int maxConnectionsPerSecondPerAddress) {

    /** Bodies within 10 s, silence up to 30 s, 256 open connections and 100 new ones a second per address. */
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(10),
            Duration.ofSeconds(30), 256, 100);

    /** Checks every value. */
    public ConnectionLimits {
        if (bodyTimeout == null || bodyTimeout.toMillis() < 1 || bodyTimeout.toSeconds() > 3600) {
            throw new IllegalArgumentException("--body-timeout must be from 1 ms to 1 h, not " + bodyTimeout);
        }
        if (idleTimeout == null || idleTimeout.toMillis() < 1 || idleTimeout.toSeconds() > 3600) {
            throw new IllegalArgumentException("--idle-timeout must be from 1 ms to 1 h, not " + idleTimeout);
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("--max-connections-per-address must be 0 (no limit) or more, not "
                    + maxConnectionsPerAddress);
        }
        if (maxConnectionsPerSecondPerAddress < 0) {
            throw new IllegalArgumentException(
                    "--max-connection-rate-per-address must be 0 (no limit) or more, not "
                            + maxConnectionsPerSecondPerAddress);
        }
    }

    /**
     * @param contentLength the body's announced length, or -1 (chunked)
     * @return how long that body may take: the body timeout, plus a second per 64 KiB announced (a 1 MiB body
     *         forwarded to a device over a slow link gets 16 s more)
     */
    public Duration bodyTimeoutFor(long contentLength) {
        return contentLength <= 0 ? bodyTimeout : bodyTimeout.plusMillis(contentLength * 1000 / (64 * 1024));
    }

    /**
     * @param timeout the new body timeout
     * @return a copy
     */
    public ConnectionLimits withBodyTimeout(Duration timeout) {
        return new ConnectionLimits(timeout, idleTimeout, maxConnectionsPerAddress, maxConnectionsPerSecondPerAddress);
    }

    /**
     * @param max open HTTP connections per address, 0 for no limit
     * @param perSecond new connections per second per address, 0 for no limit
     * @return a copy
     */
    public ConnectionLimits withPerAddress(int max, int perSecond) {
        return new ConnectionLimits(bodyTimeout, idleTimeout, max, perSecond);
    }

    /** @return the settings as the start-up line shows them */
    public String describe() {
        return "bodies within " + io.edgeflow.cloud.Durations.format(bodyTimeout) + ", idle connections closed after "
                + io.edgeflow.cloud.Durations.format(idleTimeout) + ", per address "
                + (maxConnectionsPerAddress == 0 ? "any number of" : "at most " + maxConnectionsPerAddress)
                + " open HTTP connections and "
                + (maxConnectionsPerSecondPerAddress == 0 ? "no limit on new ones"
                        : maxConnectionsPerSecondPerAddress + " new ones per second");
    }
}
