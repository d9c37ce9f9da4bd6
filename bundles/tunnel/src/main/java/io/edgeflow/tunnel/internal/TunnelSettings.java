package io.edgeflow.tunnel.internal;

import static io.edgeflow.refusedvalues.RefusedValues.inRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tunnel's settings, checked: a bad value fails activation with a message naming the property.
 *
 * @param heartbeatInterval time between heartbeats; an unanswered heartbeat is a dead connection when
 *        the next one is due
 * @param backoffBase ceiling of the first reconnection delay
 * @param backoffCap longest reconnection delay
 * @param rejectedRetry wait after the cloud refused the key
 * @param connectTimeout how long opening a connection may take
 * @param requestTimeout how long a request may take on the local API
 * @param maxBodyBytes largest body carried through the tunnel
 * @param maxConcurrentRequests requests carried out at the same time
 */
record TunnelSettings(Duration heartbeatInterval, Duration backoffBase, Duration backoffCap, Duration rejectedRetry,
        Duration connectTimeout, Duration requestTimeout, int maxBodyBytes, int maxConcurrentRequests) {

    /** Checks every value. */
    TunnelSettings {
        positive(heartbeatInterval, "heartbeat_interval_seconds");
        positive(backoffBase, "backoff_base_ms");
        positive(backoffCap, "backoff_cap_seconds");
        positive(rejectedRetry, "rejected_retry_seconds");
        positive(connectTimeout, "connect_timeout_seconds");
        positive(requestTimeout, "request_timeout_seconds");
        if (backoffBase.compareTo(backoffCap) > 0) {
            throw new IllegalArgumentException("backoff_base_ms (" + backoffBase.toMillis()
                    + " ms) is longer than backoff_cap_seconds (" + backoffCap.toSeconds() + " s)");
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("max_body_bytes must be from 1024 to 16777216, not " + maxBodyBytes);
        }
        if (maxConcurrentRequests < 1 || maxConcurrentRequests > 64) {
            throw new IllegalArgumentException("max_concurrent_requests must be from 1 to 64, not "
                    + maxConcurrentRequests);
        }
    }

    /** The metatype's defaults. */
    static final TunnelSettings DEFAULTS = new TunnelSettings(Duration.ofSeconds(30), Duration.ofMillis(1000),
            Duration.ofSeconds(300), Duration.ofSeconds(600), Duration.ofSeconds(15), Duration.ofSeconds(30),
            1024 * 1024, 4);

    /**
     * Settings from a configuration in which each value out of its range is replaced by the one in
     * {@code fallback}, and said so.
     *
     * @param settings what to run with
     * @param problems one line per refused value, naming the property, the value and the one used instead
     */
    record Checked(TunnelSettings settings, List<String> problems) {
    }

    /**
     * @param config the component configuration
     * @param fallback the values to keep for a property whose configured value is out of range: the last good
     *        settings, or {@link #DEFAULTS}
     * @return the settings to run with, and what was refused
     */
    static Checked check(TunnelConfiguration config, TunnelSettings fallback) {
        List<String> problems = new ArrayList<>();
        Duration heartbeat = Duration.ofSeconds(inRange(config.heartbeat__interval__seconds(), 1, 3600,
                "heartbeat_interval_seconds", fallback.heartbeatInterval().toSeconds(), problems));
        Duration base = Duration.ofMillis(inRange(config.backoff__base__ms(), 1, 600_000, "backoff_base_ms",
                fallback.backoffBase().toMillis(), problems));
        Duration cap = Duration.ofSeconds(inRange(config.backoff__cap__seconds(), 1, 86_400, "backoff_cap_seconds",
                fallback.backoffCap().toSeconds(), problems));
        if (base.compareTo(cap) > 0) {
            problems.add("backoff_base_ms = " + base.toMillis() + " is longer than backoff_cap_seconds = "
                    + cap.toSeconds() + "; running with " + fallback.backoffBase().toMillis() + " and "
                    + fallback.backoffCap().toSeconds());
            base = fallback.backoffBase();
            cap = fallback.backoffCap();
        }
        Duration rejected = Duration.ofSeconds(inRange(config.rejected__retry__seconds(), 10, 86_400,
                "rejected_retry_seconds", fallback.rejectedRetry().toSeconds(), problems));
        Duration connect = Duration.ofSeconds(inRange(config.connect__timeout__seconds(), 1, 300,
                "connect_timeout_seconds", fallback.connectTimeout().toSeconds(), problems));
        Duration request = Duration.ofSeconds(inRange(config.request__timeout__seconds(), 1, 600,
                "request_timeout_seconds", fallback.requestTimeout().toSeconds(), problems));
        int body = (int) inRange(config.max__body__bytes(), 1024, 16 * 1024 * 1024, "max_body_bytes",
                fallback.maxBodyBytes(), problems);
        int concurrent = (int) inRange(config.max__concurrent__requests(), 1, 64, "max_concurrent_requests",
                fallback.maxConcurrentRequests(), problems);
        return new Checked(new TunnelSettings(heartbeat, base, cap, rejected, connect, request, body, concurrent),
                List.copyOf(problems));
    }

    /**
     * @param config the component configuration
     * @return the checked settings
     * @throws IllegalArgumentException naming the property that is wrong
     */
    static TunnelSettings from(TunnelConfiguration config) {
        range(config.heartbeat__interval__seconds(), 1, 3600, "heartbeat_interval_seconds");
        range(config.backoff__base__ms(), 1, 600_000, "backoff_base_ms");
        range(config.backoff__cap__seconds(), 1, 86_400, "backoff_cap_seconds");
        range(config.rejected__retry__seconds(), 10, 86_400, "rejected_retry_seconds");
        range(config.connect__timeout__seconds(), 1, 300, "connect_timeout_seconds");
        range(config.request__timeout__seconds(), 1, 600, "request_timeout_seconds");
        return new TunnelSettings(Duration.ofSeconds(config.heartbeat__interval__seconds()),
                Duration.ofMillis(config.backoff__base__ms()), Duration.ofSeconds(config.backoff__cap__seconds()),
                Duration.ofSeconds(config.rejected__retry__seconds()),
                Duration.ofSeconds(config.connect__timeout__seconds()),
                Duration.ofSeconds(config.request__timeout__seconds()), config.max__body__bytes(),
                config.max__concurrent__requests());
    }

    /**
     * @return the largest text frame accepted from the cloud: a body of {@link #maxBodyBytes} in base64,
     *         plus room for the other fields
     */
    long maxFrameChars() {
        return (maxBodyBytes + 2L) / 3 * 4 + 64 * 1024;
    }

    private static void range(int value, int min, int max, String property) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    private static void positive(Duration d, String property) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, not " + d);
        }
    }
}
