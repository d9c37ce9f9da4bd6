package io.edgeflow.cloud.tunnel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.AuthenticatedDevice;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.store.KeyRecord;
import io.edgeflow.protocol.TunnelProtocol;

/**
 * The opening handshake of {@code /api/v1/tunnel}: the device names itself ({@code X-EdgeFlow-Device-Id})
 * and presents its key ({@code Authorization: Bearer efk_...}), which is checked by its hash as every
 * device call is. A key not confirmed yet is confirmed by this first authenticated tunnel. Refusals are
 * plain HTTP answers with the usual {@code {"error", "message"}} body, so the device can tell a rejected
 * key (401) from a cloud that is down.
 */
public final class TunnelEndpoint implements WebSocketCreator {
    private final ProvisioningService service;
    private final TunnelHub hub;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param service authenticates devices
     * @param hub keeps the tunnels
     */
    public TunnelEndpoint(ProvisioningService service, TunnelHub hub) {
        this.service = service;
        this.hub = hub;
    }

    @Override
    public Object createWebSocket(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        String protocol = null;
        for (String offered : request.getSubProtocols()) {
            if (TunnelProtocol.SUPPORTED.contains(offered)) {
                protocol = offered;
                break;
            }
        }
        if (protocol == null) {
            response.getHeaders().put(TunnelProtocol.PROTOCOLS_HEADER, String.join(", ", TunnelProtocol.SUPPORTED));
            return refuse(response, callback, 400, "unsupported_protocol", "Offer the sub-protocol "
                    + TunnelProtocol.V1 + " (Sec-WebSocket-Protocol); this cloud speaks "
                    + String.join(", ", TunnelProtocol.SUPPORTED) + ".");
        }
        String deviceId = request.getHeaders().get(TunnelProtocol.DEVICE_ID_HEADER);
        if (deviceId == null || deviceId.isBlank()) {
            return refuse(response, callback, 400, "invalid_request",
                    "Name the device in the " + TunnelProtocol.DEVICE_ID_HEADER + " header.");
        }
        deviceId = deviceId.trim();
        String key = AdminTokens.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION)).orElse(null);
        String source = Request.getRemoteAddr(request);
        try {
            AuthenticatedDevice device = service.authenticate(deviceId, key);
            if (KeyRecord.PENDING.equals(device.key().status())) {
                service.confirm(deviceId, key, source); // the first authenticated tunnel confirms the key
            }
        } catch (CloudError e) {
            if (e.status() == 401) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            }
            return refuse(response, callback, e.status(), e.code(), e.getMessage());
        }
        response.setAcceptedSubProtocol(protocol);
        return hub.newTunnel(deviceId, source);
    }

    private Object refuse(ServerUpgradeResponse response, Callback callback, int status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        byte[] bytes;
        try {
            bytes = (json.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            bytes = ("{\"error\": \"" + code + "\"}\n").getBytes(StandardCharsets.UTF_8);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return null;
    }
}
