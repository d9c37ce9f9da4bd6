package io.edgeflow.tunnel.internal;

import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud's requests through the tunnel: each request frame checked (method, path under {@code /api/v1/},
 * headers, body size), carried out on the local API and answered with a response or an error frame.
 * <p>
 * Threading: {@link #request} runs on the tunnel's scheduler thread and hands the call to the bounded pool of
 * request threads, where it is carried out; frames are sent through the connection's own ordered queue.
 */
final class RemoteRequests {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteRequests.class);

    private final TunnelSettings settings;
    private final LocalApi localApi;
    private final ThreadPoolExecutor requests;

    RemoteRequests(TunnelSettings settings, LocalApi localApi, ThreadPoolExecutor requests) {
        this.settings = settings;
        this.localApi = localApi;
        this.requests = requests;
    }

    /** Checks a request frame and hands it to a request thread; answers an error frame if it is refused. */
    void request(TunnelConnection c, Map<String, Object> frame) {
        String id = idOf(frame);
        if (id == null) {
            sendError(c, null, "invalid_request", "A request needs a string 'id' of at most 64 characters.");
            return;
        }
        Object method = frame.get("method");
        if (!(method instanceof String m) || !Protocol.METHODS.contains(m)) {
            sendError(c, id, "invalid_request", "'method' must be one of GET, POST, PUT, DELETE.");
            return;
        }
        Object path = frame.get("path");
        if (!(path instanceof String p) || !Protocol.allowedPath(p)) {
            sendError(c, id, "path_not_allowed", "Only paths under /api/v1/ of the local API may be requested, "
                    + "without '.', '..', encoded separators or control characters.");
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (frame.get("headers") instanceof Map<?, ?> given) {
            given.forEach((name, value) -> {
                String lower = String.valueOf(name).toLowerCase(Locale.ROOT);
                if (Protocol.REQUEST_HEADERS.contains(lower) && value instanceof String v && v.length() <= 256
                        && v.chars().noneMatch(ch -> ch < ' ' || ch == 0x7f)) {
                    headers.put(lower, v);
                }
            });
        }
        byte[] body;
        Object b = frame.get("body");
        if (b == null) {
            body = new byte[0];
        } else if (b instanceof String encoded && encoded.length() <= settings.maxFrameChars()) {
            try {
                body = Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                sendError(c, id, "invalid_request", "'body' must be base64.");
                return;
            }
        } else {
            sendError(c, id, "request_too_large", "The body is larger than " + settings.maxBodyBytes() + " bytes.");
            return;
        }
        if (body.length > settings.maxBodyBytes()) {
            sendError(c, id, "request_too_large", "The body is larger than " + settings.maxBodyBytes() + " bytes.");
            return;
        }
        Duration timeout = settings.requestTimeout();
        if (frame.get("timeout_ms") instanceof Number t && t.longValue() > 0 && t.longValue() < timeout.toMillis()) {
            timeout = Duration.ofMillis(t.longValue());
        }
        LocalRequest local = new LocalRequest((String) method, (String) path, headers, body);
        Duration limit = timeout;
        try {
            requests.execute(() -> carryOut(c, id, local, limit));
        } catch (RejectedExecutionException e) {
            sendError(c, id, "busy", "The device is carrying out too many requests; try again shortly.");
        }
    }

    /** On a request thread. */
    private void carryOut(TunnelConnection c, String id, LocalRequest request, Duration timeout) {
        try {
            LocalResponse answer = localApi.execute(request, timeout, settings.maxBodyBytes());
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("type", Protocol.RESPONSE);
            frame.put("id", id);
            frame.put("status", answer.status());
            frame.put("headers", answer.headers());
            frame.put("body", answer.body().length == 0 ? null : Base64.getEncoder().encodeToString(answer.body()));
            c.send(TunnelClient.FRAMES.writeString(frame));
        } catch (LocalApiException e) {
            sendError(c, id, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Tunnel: request {} {} failed: {}", request.method(), request.path(), e.toString(), e);
            sendError(c, id, LocalApiException.UNAVAILABLE, "The agent failed to carry out the request.");
        }
    }

    void sendError(TunnelConnection c, String id, String code, String message) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", Protocol.ERROR);
        frame.put("id", id);
        frame.put("code", code);
        frame.put("message", message);
        c.send(TunnelClient.FRAMES.writeString(frame));
    }

    static String idOf(Map<String, Object> frame) {
        return frame.get("id") instanceof String s && !s.isEmpty() && s.length() <= 64 ? s : null;
    }
}
