package io.edgeflow.tunnel.internal;

/** How a failure of the tunnel is retried. */
enum Retry {
    /** Exponential backoff with full jitter. */
    BACKOFF,
    /** The slow retry interval: a person has to act (a rejected key, an incompatible cloud). */
    SLOW,
    /** The slow retry interval, and the phase is {@code TunnelState.Phase#REJECTED}. */
    REJECTED
}
