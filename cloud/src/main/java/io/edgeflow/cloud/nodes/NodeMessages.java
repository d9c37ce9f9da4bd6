package io.edgeflow.cloud.nodes;

import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.tunnel.LocalRequest;
import io.edgeflow.cloud.tunnel.LocalResponse;

/**
 * The bodies of the calls between nodes, JSON with the request and answer bodies in base64:
 * {@code POST /api/v1/nodes/forward} {@code {"device_id", "method", "path", "headers", "body"}} answered
 * {@code {"status", "headers", "body"}} (the device's answer) or an error body; {@code POST
 * /api/v1/nodes/revoke} {@code {"device_id"}}.
 */
public final class NodeMessages {
    /** Path of a request carried to the node holding the device's tunnel. */
    public static final String FORWARD = "/api/v1/nodes/forward";
    /** Path of a revocation told to the other nodes. */
    public static final String REVOKE = "/api/v1/nodes/revoke";
    /** Every path of the node calls starts with this. */
    public static final String PREFIX = "/api/v1/nodes/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeMessages() {
    }

    /** A request for a device, as the node holding its tunnel reads it. */
    public record Forwarded(String deviceId, LocalRequest request) {
    }

    static byte[] forward(String deviceId, LocalRequest r) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", deviceId);
        m.put("method", r.method());
        m.put("path", r.path());
        m.put("headers", r.headers());
        m.put("body", Base64.getEncoder().encodeToString(r.body()));
        return JSON.writeValueAsBytes(m);
    }

    static byte[] revoke(String deviceId) throws IOException {
        return JSON.writeValueAsBytes(Map.of("device_id", deviceId));
    }

    /**
     * @param body a forward call's body
     * @return the device and its request
     * @throws CloudError 400 if it is not one
     */
    public static Forwarded readForward(byte[] body) throws CloudError {
        JsonNode n = read(body);
        String deviceId = text(n, "device_id");
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = n.path("headers");
        if (!h.isMissingNode() && !h.isObject()) {
            throw CloudError.invalidRequest("headers", "must be an object");
        }
        h.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return new Forwarded(deviceId, new LocalRequest(text(n, "method"), text(n, "path"), headers,
                bytes(n, "body")));
    }

    /**
     * @param body a revoke call's body
     * @return the device revoked
     * @throws CloudError 400 if it is not one
     */
    public static String readRevoke(byte[] body) throws CloudError {
        return text(read(body), "device_id");
    }

    /**
     * @param answer a device's answer
     * @return the forward call's answer body
     */
    public static Map<String, Object> answer(LocalResponse answer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", answer.status());
        m.put("headers", answer.headers());
        m.put("body", Base64.getEncoder().encodeToString(answer.body()));
        return m;
    }

    static LocalResponse readAnswer(byte[] body) throws IOException {
        JsonNode n = JSON.readTree(body);
        Map<String, String> headers = new LinkedHashMap<>();
        n.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return new LocalResponse(n.path("status").asInt(), headers, Base64.getDecoder().decode(n.path("body")
                .asText("")));
    }

    static JsonNode readError(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static JsonNode read(byte[] body) throws CloudError {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw CloudError.invalidRequest("body", "must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw CloudError.invalidRequest("body", "is not JSON");
        }
    }

    private static String text(JsonNode n, String field) throws CloudError {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw CloudError.invalidRequest(field, "is required (a string)");
        }
        return v.asText();
    }

    private static byte[] bytes(JsonNode n, String field) throws CloudError {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw CloudError.invalidRequest(field, "must be base64");
        }
    }
}
