package io.edgeflow.tunnel.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The names of the tunnel protocol {@code edgeflow.tunnel.v1} as the agent speaks it; the specification
 * is {@code docs/protocol.md}, the cloud's copy is {@code io.edgeflow.cloud.tunnel.TunnelProtocol}.
 */
final class Protocol {
    private Protocol() {
    }

    /** The WebSocket path on the cloud. */
    static final String PATH = "/api/v1/tunnel";
    /** The sub-protocol offered in the opening handshake. */
    static final String V1 = "edgeflow.tunnel.v1";
    /** The version number the cloud's {@code hello} must carry. */
    static final int VERSION = 1;
    /** Handshake header naming the device. */
    static final String DEVICE_ID_HEADER = "X-EdgeFlow-Device-Id";
    /** Header of a refused handshake that lists the sub-protocols the cloud speaks. */
    static final String PROTOCOLS_HEADER = "X-EdgeFlow-Tunnel-Protocols";

    static final String HELLO = "hello";
    static final String HEARTBEAT = "heartbeat";
    static final String HEARTBEAT_ACK = "heartbeat_ack";
    static final String REQUEST = "request";
    static final String RESPONSE = "response";
    static final String ERROR = "error";

    /** Close code: the device's credentials no longer work. */
    static final int CLOSE_CREDENTIALS = 4401;
    /** Close code: a newer tunnel of the same device replaced this one. */
    static final int CLOSE_REPLACED = 4409;
    /**
     * Close code of the device for a message over its size limit. The cloud uses the standard 1009, which
     * the JDK's WebSocket client refuses to send ({@code IllegalArgumentException: statusCode}).
     */
    static final int CLOSE_TOO_BIG = 4413;
    /** Close code: going away (the agent or the cloud stops). */
    static final int CLOSE_GOING_AWAY = 1001;

    /** Methods the cloud may use on the local API. */
    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE");
    /** Request headers passed to the local API. */
    static final Set<String> REQUEST_HEADERS = Set.of("content-type", "accept");
    /** Answer headers of the local API passed back to the cloud. */
    static final Set<String> RESPONSE_HEADERS = Set.of("content-type", "allow", "retry-after");
    /** Longest path (with its query) accepted in a request. */
    static final int MAX_PATH = 2048;

    /**
     * Only the local API, never a path that could climb out of it: under {@code /api/v1/}, without
     * {@code .} or {@code ..} segments, encoded separators or dots, backslashes, empty segments, spaces or
     * control characters.
     *
     * @param path the path with its query string
     * @return true if the path may be requested
     */
    static boolean allowedPath(String path) {
        if (path == null || path.length() > MAX_PATH || !path.startsWith("/api/v1/")) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            if (ch <= ' ' || ch >= 0x7f || ch == '\\' || ch == '#') {
                return false;
            }
        }
        int query = path.indexOf('?');
        String p = query < 0 ? path : path.substring(0, query);
        String lower = p.toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")
                || p.contains("//")) {
            return false;
        }
        for (String segment : p.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The cloud's clock minus the device's, rounded to whole seconds: the frame's {@code server_time} against
     * the middle of the heartbeat's round trip (for a {@code hello}, which answers nothing, its arrival).
     * {@code server_time} may carry fractions of a second or not; a missing or malformed one gives null.
     */
    static Long skewFrom(Map<String, Object> frame, Instant sentAt, Instant receivedAt) {
        if (!(frame.get("server_time") instanceof String text) || text.length() > 64) {
            return null;
        }
        Instant server;
        try {
            server = java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
        Instant local = receivedAt;
        if (sentAt != null && !sentAt.isAfter(receivedAt)) {
            local = sentAt.plus(Duration.between(sentAt, receivedAt).dividedBy(2));
        }
        long millis = Duration.between(local, server).toMillis();
        return Math.round(millis / 1000.0);
    }
}
