package io.edgeflow.cloud.tunnel;

import java.util.List;

/**
 * The names of protocol {@code edgeflow.tunnel.v1}: the sub-protocol, the headers of the opening
 * handshake, the frame types and fields, the close codes. {@code docs/protocol.md} is the specification;
 * the agent's tunnel bundle keeps its own copy of these names.
 */
public final class TunnelProtocol {
    private TunnelProtocol() {
    }

    /** The WebSocket path. */
    public static final String PATH = "/api/v1/tunnel";
    /** The sub-protocol of version 1 ({@code Sec-WebSocket-Protocol}). */
    public static final String V1 = "edgeflow.tunnel.v1";
    /** The number in the {@code hello} frame. */
    public static final int VERSION = 1;
    /** Every sub-protocol this cloud speaks, preferred first. */
    public static final List<String> SUPPORTED = List.of(V1);
    /** Handshake header naming the device. */
    public static final String DEVICE_ID_HEADER = "X-EdgeFlow-Device-Id";
    /** Answer header on a refused handshake listing the supported sub-protocols. */
    public static final String PROTOCOLS_HEADER = "X-EdgeFlow-Tunnel-Protocols";

    /** Frame types. */
    public static final String HELLO = "hello";
    /** A device's heartbeat. */
    public static final String HEARTBEAT = "heartbeat";
    /** The cloud's answer to a heartbeat. */
    public static final String HEARTBEAT_ACK = "heartbeat_ack";
    /** A request for the device's local API. */
    public static final String REQUEST = "request";
    /** The device's answer to a request. */
    public static final String RESPONSE = "response";
    /** Something went wrong with a frame or a request. */
    public static final String ERROR = "error";

    /** Close code: the device's credentials no longer work (revoked, expired, replaced). */
    public static final int CLOSE_CREDENTIALS = 4401;
    /** Close code: a newer tunnel of the same device replaced this one. */
    public static final int CLOSE_REPLACED = 4409;
    /** Close code: going away (the server stops). Standard code 1001. */
    public static final int CLOSE_GOING_AWAY = 1001;

    /** Error code: a frame that is not a JSON object with a {@code type}. */
    public static final String INVALID_FRAME = "invalid_frame";
    /** Error code: a frame type this side does not know. */
    public static final String UNKNOWN_TYPE = "unknown_type";
}
