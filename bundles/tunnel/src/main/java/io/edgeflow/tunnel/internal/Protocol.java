package io.edgeflow.tunnel.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.edgeflow.protocol.TunnelProtocol;

/**
 * The names of the tunnel protocol {@code edgeflow.tunnel.v1} as the agent speaks it; the specification
 * is {@code docs/protocol.md}. The names are {@link TunnelProtocol}'s, which the cloud uses too (a build-time
 * library embedded privately); what only the agent needs (the longest path, {@link #allowedPath}) is here.
 */
final class Protocol {
    private Protocol() {
    }

    /** The WebSocket path on the cloud. */
    static final String PATH = TunnelProtocol.PATH;
    /** The sub-protocol offered in the opening handshake. */
    static final String V1 = TunnelProtocol.V1;
    /** The version number the cloud's {@code hello} must carry. */
    static final int VERSION = TunnelProtocol.VERSION;
    /** Handshake header naming the device. */
    static final String DEVICE_ID_HEADER = TunnelProtocol.DEVICE_ID_HEADER;
    /** Header of a refused handshake that lists the sub-protocols the cloud speaks. */
    static final String PROTOCOLS_HEADER = TunnelProtocol.PROTOCOLS_HEADER;

    static final String HELLO = TunnelProtocol.HELLO;
    static final String HEARTBEAT = TunnelProtocol.HEARTBEAT;
    static final String HEARTBEAT_ACK = TunnelProtocol.HEARTBEAT_ACK;
    static final String REQUEST = TunnelProtocol.REQUEST;
    static final String RESPONSE = TunnelProtocol.RESPONSE;
    static final String ERROR = TunnelProtocol.ERROR;

    /** Close code: the device's credentials no longer work. */
    static final int CLOSE_CREDENTIALS = TunnelProtocol.CLOSE_CREDENTIALS;
    /** Close code: a newer tunnel of the same device replaced this one. */
    static final int CLOSE_REPLACED = TunnelProtocol.CLOSE_REPLACED;
    /**
     * Close code of the device for a message over its size limit. The cloud uses the standard 1009, which
     * the JDK's WebSocket client refuses to send ({@code IllegalArgumentException: statusCode}).
     */
    static final int CLOSE_TOO_BIG = TunnelProtocol.CLOSE_TOO_BIG;
    /** Close code: going away (the agent or the cloud stops). */
    static final int CLOSE_GOING_AWAY = TunnelProtocol.CLOSE_GOING_AWAY;

    /** Methods the cloud may use on the local API. */
    static final Set<String> METHODS = TunnelProtocol.METHODS;
    /** Request headers passed to the local API. */
    static final Set<String> REQUEST_HEADERS = TunnelProtocol.REQUEST_HEADERS;
    /** Answer headers of the local API passed back to the cloud. */
    static final Set<String> RESPONSE_HEADERS = TunnelProtocol.RESPONSE_HEADERS;
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
