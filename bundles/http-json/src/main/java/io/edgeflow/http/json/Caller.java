package io.edgeflow.http.json;

/**
 * Who made a request that {@link CallerCheck} let through, for the log lines of what it changed.
 */
public enum Caller {
    /** A caller on this device (loopback), no API token configured. */
    LOOPBACK("a caller on this device"),
    /** A caller that sent the API token ({@code EDGEFLOW_API_TOKEN}). */
    TOKEN("a caller with the API token"),
    /** The cloud: a request the tunnel relayed, with the tunnel's own credential. */
    CLOUD("the cloud, through the tunnel");

    private final String description;

    Caller(String description) {
        this.description = description;
    }

    /** @return who it is, in words for a log line ("the cloud, through the tunnel") */
    public String description() {
        return description;
    }
}
