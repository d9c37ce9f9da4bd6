package io.edgeflow.cloud.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.edgeflow.cloud.LogText;
import io.edgeflow.protocol.TunnelProtocol;

/**
 * One device's open tunnel: answers its heartbeats, carries requests to it and matches its answers by
 * id (public only because Jetty calls its listener methods by reflection). A malformed or unknown frame is answered with an {@code error} frame; nothing a device sends can
 * make the cloud throw.
 */
public final class DeviceTunnel implements Session.Listener.AutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceTunnel.class);
    /** Error code: the device's {@code response} is not a valid HTTP answer. */
    static final String BAD_GATEWAY = "bad_gateway";

    private final TunnelHub hub;
    private final ObjectMapper json;
    private final String deviceId;
    private final String remoteAddress;
    private final ConcurrentHashMap<String, CompletableFuture<LocalResponse>> pending = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private volatile Session session;
    private volatile Instant connectedSince;
    private volatile Instant lastHeartbeat;
    private volatile boolean closed;

    DeviceTunnel(TunnelHub hub, ObjectMapper json, String deviceId, String remoteAddress) {
        this.hub = hub;
        this.json = json;
        this.deviceId = deviceId;
        this.remoteAddress = remoteAddress;
    }

    String deviceId() {
        return deviceId;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    Instant connectedSince() {
        return connectedSince;
    }

    Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    void lastHeartbeat(Instant previous) {
        if (lastHeartbeat == null) {
            lastHeartbeat = previous;
        }
    }

    int pendingRequests() {
        return pending.size();
    }

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
        this.connectedSince = hub.now();
        hub.attach(this);
        ObjectNode hello = json.createObjectNode();
        hello.put("type", TunnelProtocol.HELLO);
        hello.put("protocol", TunnelProtocol.VERSION);
        hello.put("device_id", deviceId);
        hello.put("heartbeat_timeout_seconds", hub.settings().idleTimeout().toSeconds());
        hello.put("max_body_bytes", hub.settings().maxBodyBytes());
        hello.put("server_time", serverTime(hub.now()));
        send(hello, null);
        hub.opened(this);
    }

    @Override
    public void onWebSocketText(String text) {
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (JsonProcessingException e) {
            sendError(null, TunnelProtocol.INVALID_FRAME, "A frame must be one JSON object.");
            return;
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isTextual()) {
            sendError(null, TunnelProtocol.INVALID_FRAME, "A frame must be a JSON object with a string 'type'.");
            return;
        }
        try {
            switch (frame.get("type").asText()) {
                case TunnelProtocol.HEARTBEAT -> heartbeat(frame);
                case TunnelProtocol.RESPONSE -> response(frame);
                case TunnelProtocol.ERROR -> error(frame);
                default -> sendError(idOf(frame), TunnelProtocol.UNKNOWN_TYPE,
                        "Unknown frame type for protocol " + TunnelProtocol.V1 + ".");
            }
        } catch (RuntimeException e) {
            // a defect of ours, never the device's fault: the tunnel stays up
            LOG.error("Tunnel of {}: a frame could not be handled: {}", deviceId, LogText.of(e), e);
            sendError(idOf(frame), "internal_error", "The cloud could not handle this frame.");
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        sendError(null, TunnelProtocol.INVALID_FRAME, "Binary frames are not part of " + TunnelProtocol.V1 + ".");
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed = true;
        hub.detach(this, statusCode, reason);
        TunnelException gone = new TunnelException(502, "device_disconnected",
                "The device's tunnel closed before it answered.");
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("Tunnel of {}: {}", deviceId, LogText.of(cause));
    }

    private void heartbeat(JsonNode frame) {
        lastHeartbeat = hub.now();
        ObjectNode ack = json.createObjectNode();
        ack.put("type", TunnelProtocol.HEARTBEAT_ACK);
        JsonNode seq = frame.get("seq");
        if (seq != null && seq.canConvertToLong()) {
            ack.put("seq", seq.asLong());
        }
        ack.put("server_time", serverTime(lastHeartbeat));
        send(ack, null);
    }

    private void response(JsonNode frame) {
        String id = idOf(frame);
        CompletableFuture<LocalResponse> waiting = id == null ? null : pending.remove(id);
        if (waiting == null) {
            // late (the caller timed out) or not ours: nothing waits for it
            LOG.debug("Tunnel of {}: a response for unknown request id {}", deviceId, LogText.of(id));
            return;
        }
        JsonNode status = frame.get("status");
        // only a final answer: an interim 1xx (100 Continue, 101 Switching Protocols) would reach the caller
        // as if this server had sent it, and leave the caller waiting for the real answer
        if (status == null || !status.isIntegralNumber() || !status.canConvertToInt() || status.asInt() < 200
                || status.asInt() > 599) {
            waiting.completeExceptionally(new TunnelException(502, BAD_GATEWAY,
                    "The device's response has no valid 'status' (a whole number from 200 to 599)."));
            return;
        }
        byte[] body;
        try {
            JsonNode b = frame.get("body");
            if (b != null && !b.isNull() && !b.isTextual()) {
                throw new IllegalArgumentException("not a string");
            }
            body = b == null || b.isNull() ? new byte[0] : Base64.getDecoder().decode(b.asText());
        } catch (IllegalArgumentException e) {
            waiting.completeExceptionally(new TunnelException(502, BAD_GATEWAY,
                    "The device's response body is not base64."));
            return;
        }
        if (body.length > hub.settings().maxBodyBytes()) {
            waiting.completeExceptionally(new TunnelException(502, "response_too_large",
                    "The device's response is larger than " + hub.settings().maxBodyBytes() + " bytes."));
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        frame.path("headers").fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                headers.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue().asText());
            }
        });
        waiting.complete(new LocalResponse(status.asInt(), headers, body));
    }

    private void error(JsonNode frame) {
        String id = idOf(frame);
        String code = frame.path("code").asText("error");
        String message = frame.path("message").asText("");
        CompletableFuture<LocalResponse> waiting = id == null ? null : pending.remove(id);
        if (waiting == null) {
            LOG.info("Tunnel of {}: the device reported {}: {}", deviceId, LogText.of(code), LogText.of(message));
            return;
        }
        waiting.completeExceptionally(new TunnelException(statusFor(code), code, "The device answered: " + message));
    }

    /** The status the cloud's caller gets for an error the device reported about a request. */
    static int statusFor(String deviceCode) {
        return switch (deviceCode) {
            case "path_not_allowed" -> 403;
            case "request_too_large" -> 413;
            case "busy" -> 503;
            case "local_timeout" -> 504;
            default -> 502; // local_api_unavailable, response_too_large, invalid_request, ...
        };
    }

    /**
     * Sends a request to the device and returns its answer.
     *
     * @param request the request
     * @return completes with the device's answer, or exceptionally with a {@link TunnelException}
     */
    CompletableFuture<LocalResponse> forward(LocalRequest request) {
        CompletableFuture<LocalResponse> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(offline());
            return answer;
        }
        if (pending.size() >= hub.settings().maxPendingPerTunnel()) {
            answer.completeExceptionally(new TunnelException(503, "tunnel_busy", "The device has "
                    + pending.size() + " requests waiting already; try again shortly."));
            return answer;
        }
        String id = Long.toString(requestIds.incrementAndGet());
        long timeoutMs = hub.settings().requestTimeout().toMillis();
        ObjectNode frame = json.createObjectNode();
        frame.put("type", TunnelProtocol.REQUEST);
        frame.put("id", id);
        frame.put("method", request.method());
        frame.put("path", request.path());
        ObjectNode headers = frame.putObject("headers");
        request.headers().forEach(headers::put);
        if (request.body().length > 0) {
            frame.put("body", Base64.getEncoder().encodeToString(request.body()));
        } else {
            frame.putNull("body");
        }
        frame.put("timeout_ms", timeoutMs);
        pending.put(id, answer);
        answer.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(id));
        send(frame, answer);
        return answer.handle((r, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(r);
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                return CompletableFuture.<LocalResponse>failedFuture(new TunnelException(504, "device_timeout",
                        "The device did not answer within " + hub.settings().requestTimeout().toSeconds() + " s."));
            }
            return CompletableFuture.<LocalResponse>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private TunnelException offline() {
        return new TunnelException(502, "device_offline", "Device " + deviceId + " has no open tunnel.");
    }

    void close(int code, String reason) {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(code, reason, Callback.NOOP);
        }
    }

    private void sendError(String id, String code, String message) {
        ObjectNode error = json.createObjectNode();
        error.put("type", TunnelProtocol.ERROR);
        if (id == null) {
            error.putNull("id");
        } else {
            error.put("id", id);
        }
        error.put("code", code);
        error.put("message", message);
        send(error, null);
    }

    private void send(ObjectNode frame, CompletableFuture<LocalResponse> failOnError) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            if (failOnError != null) {
                failOnError.completeExceptionally(offline());
            }
            return;
        }
        String text;
        try {
            text = json.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a frame could not be written", e);
        }
        s.sendText(text, new Callback() {
            @Override
            public void fail(Throwable cause) {
                LOG.debug("Tunnel of {}: sending failed: {}", deviceId, LogText.of(cause));
                if (failOnError != null) {
                    failOnError.completeExceptionally(new TunnelException(502, "device_disconnected",
                            "The request could not be sent to the device: " + messageOf(cause)));
                }
            }
        });
    }

    /** The protocol's times: ISO-8601 in UTC, whole seconds ({@code 2026-12-03T13:29:01Z}). */
    static String serverTime(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String messageOf(Throwable cause) {
        return cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static String idOf(JsonNode frame) {
        JsonNode id = frame.get("id");
        return id != null && id.isTextual() && id.asText().length() <= 64 ? id.asText() : null;
    }
}
