package io.edgeflow.protocol;

import java.util.List;
import java.util.Set;

/**
 * The names of the device tunnel, protocol {@code edgeflow.tunnel.v1} (docs/protocol.md is the
 * specification): the path and sub-protocol, the headers of the opening handshake, the frame types, the
 * close and error codes, and what a forwarded request may carry. The agent's tunnel bundle and the cloud
 * both use these, so neither can drift from the other.
 */
public final class TunnelProtocol {
    private TunnelProtocol() {
    }

    /** The WebSocket path on the cloud. */
    public static final String PATH = "/api/v1/tunnel";
    /** The sub-protocol of version 1 ({@code Sec-WebSocket-Protocol}). */
    public static final String V1 = "edgeflow.tunnel.v1";
    /** The number in the {@code hello} frame. */
    public static final int VERSION = 1;
    /** Every sub-protocol of this release, preferred first. */
    public static final List<String> SUPPORTED = List.of(V1);
    /** Handshake header naming the device. */
    public static final String DEVICE_ID_HEADER = "X-EdgeFlow-Device-Id";
    /** Answer header on a refused handshake listing the sub-protocols the cloud speaks. */
    public static final String PROTOCOLS_HEADER = "X-EdgeFlow-Tunnel-Protocols";

    /** Frame type: the cloud's greeting. */
    public static final String HELLO = "hello";
    /** Frame type: a device's heartbeat. */
    public static final String HEARTBEAT = "heartbeat";
    /** Frame type: the cloud's answer to a heartbeat. */
    public static final String HEARTBEAT_ACK = "heartbeat_ack";
    /** Frame type: a request for the device's local API. */
    public static final String REQUEST = "request";
    /** Frame type: the device's answer to a request. */
    public static final String RESPONSE = "response";
    /** Frame type: something went wrong with a frame or a request. */
    public static final String ERROR = "error";

    /** Close code: the device's credentials no longer work (revoked, expired, replaced). */
    public static final int CLOSE_CREDENTIALS = 4401;
    /** Close code: a newer tunnel of the same device replaced this one. */
    public static final int CLOSE_REPLACED = 4409;
    /**
     * Close code of the device for a message over its size limit. The cloud uses the standard 1009, which
     * the JDK's WebSocket client refuses to send ({@code IllegalArgumentException: statusCode}).
     */
    public static final int CLOSE_TOO_BIG = 4413;
    /** Close code: going away (the agent or the cloud stops). Standard code 1001. */
    public static final int CLOSE_GOING_AWAY = 1001;

    /** Error code: a frame that is not a JSON object with a {@code type}. */
    public static final String INVALID_FRAME = "invalid_frame";
    /** Error code: a frame type this side does not know. */
    public static final String UNKNOWN_TYPE = "unknown_type";

    /** Methods the cloud may use on a device's local API. */
    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE");
    /** Request headers passed on to the local API; everything else stays in the cloud. */
    public static final Set<String> REQUEST_HEADERS = Set.of("content-type", "accept");
    /** Answer headers of the local API passed back through the cloud. */
    public static final Set<String> RESPONSE_HEADERS = Set.of("content-type", "allow", "retry-after");
}
