package io.edgeflow.cloud.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.DeviceDetails;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * The admin API (see {@code docs/protocol.md}): provisioning codes, devices, the audit trail. Every call
 * needs {@code Authorization: Bearer <admin token>}, checked before any body is read.
 * <p>
 * Threading: stateless; every method runs on the thread of the request it answers.
 */
final class AdminApi {
    private final ProvisioningService service;
    private final AdminTokens adminTokens;
    private final TunnelHub tunnels;
    private final ObjectMapper json;

    AdminApi(ProvisioningService service, AdminTokens adminTokens, TunnelHub tunnels, ObjectMapper json) {
        this.service = service;
        this.adminTokens = adminTokens;
        this.tunnels = tunnels;
        this.json = json;
    }

    /** Adds the admin endpoints to the route table. */
    void addTo(ApiRoutes routes) {
        admin(routes, "POST", "/api/v1/admin/provisioning-codes", this::createCode, true);
        admin(routes, "GET", "/api/v1/admin/provisioning-codes", this::listCodes, false);
        admin(routes, "GET", "/api/v1/admin/provisioning-codes/{id}", this::getCode, false);
        admin(routes, "DELETE", "/api/v1/admin/provisioning-codes/{id}", this::revokeCode, false);
        admin(routes, "GET", "/api/v1/admin/devices", this::listDevices, false);
        admin(routes, "GET", "/api/v1/admin/devices/{id}", this::getDevice, false);
        admin(routes, "DELETE", "/api/v1/admin/devices/{id}", this::revokeDevice, false);
        admin(routes, "GET", "/api/v1/admin/audit", this::audit, false);
    }

    /** Adds a route behind the admin token ({@link #adminGate}); other admin endpoints use it too. */
    void admin(ApiRoutes routes, String method, String template, ApiRoutes.Endpoint endpoint, boolean readsBody) {
        routes.add(method, template, new ApiRoutes.Route(method, endpoint, this::adminGate, readsBody, null));
    }

    Reply adminGate(Call call) {
        if (!adminTokens.accepts(call.header(HttpHeader.AUTHORIZATION))) {
            CloudError e = CloudError.invalidCredentials("Admin calls need 'Authorization: Bearer <admin token>'"
                    + " (the token is in <data-dir>/" + AdminTokens.FILE_NAME + ").");
            return new Reply(401, Reply.errorBody(e.code(), e.getMessage()),
                    Map.of("WWW-Authenticate", "Bearer realm=\"edgeflow-admin\""));
        }
        return null;
    }

    private Reply createCode(Call call) throws CloudError, IOException {
        JsonNode body = call.body(false);
        Long ttl = body == null ? null : seconds(body.get("ttl_seconds"), "ttl_seconds");
        String label = body == null ? null : label(body.get("label"));
        io.edgeflow.cloud.provisioning.IssuedCode issued = service.createCode(ttl, label, call.source);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", issued.record().id());
        m.put("code", issued.code().value());
        m.put("expires_at", Views.time(issued.record().expiresAt()));
        m.put("label", issued.record().label());
        return new Reply(201, m);
    }

    /** @return a TTL field of a body, or null if absent; {@code field} names it in the error */
    static Long seconds(JsonNode t, String field) throws CloudError {
        if (t == null || t.isNull()) {
            return null;
        }
        if (!t.canConvertToLong() || !t.isIntegralNumber()) {
            throw CloudError.invalidRequest(field, "must be a whole number of seconds");
        }
        return t.asLong();
    }

    /** @return a body's {@code label}, or null if absent */
    static String label(JsonNode l) throws CloudError {
        if (l == null || l.isNull()) {
            return null;
        }
        if (!l.isTextual()) {
            throw CloudError.invalidRequest("label", "must be a string");
        }
        return l.asText();
    }

    private Reply listCodes(Call call) throws CloudError {
        int limit = call.limit();
        String state = call.query("state");
        long now = service.now();
        List<Map<String, Object>> codes = new ArrayList<>();
        for (CodeRecord c : service.listCodes(limit)) {
            Map<String, Object> view = Views.code(c, now);
            if (state == null || state.equals(view.get("state"))) {
                codes.add(view);
            }
        }
        return new Reply(200, Map.of("provisioning_codes", codes));
    }

    private Reply getCode(Call call) throws CloudError {
        return new Reply(200, Views.code(service.code(call.param("id")), service.now()));
    }

    private Reply revokeCode(Call call) throws CloudError {
        return new Reply(200, Views.code(service.revokeCode(call.param("id"), call.source), service.now()));
    }

    private Reply listDevices(Call call) throws CloudError {
        int limit = call.limit();
        long now = service.now();
        List<Map<String, Object>> devices = new ArrayList<>();
        for (DeviceDetails d : service.listDevices(limit)) {
            devices.add(Views.device(d, now, json, tunnels.presence(d.device().id())));
        }
        return new Reply(200, Map.of("devices", devices));
    }

    private Reply getDevice(Call call) throws CloudError {
        DeviceDetails d = service.device(call.param("id"));
        return new Reply(200, Views.device(d, service.now(), json, tunnels.presence(d.device().id())));
    }

    private Reply revokeDevice(Call call) throws CloudError {
        DeviceDetails d = service.revokeDevice(call.param("id"), call.source);
        // its key stopped working: so does the tunnel it opened with that key
        tunnels.revoke(d.device().id());
        return new Reply(200, Views.device(d, service.now(), json, tunnels.presence(d.device().id())));
    }

    private Reply audit(Call call) throws CloudError {
        long before = 0;
        String b = call.query("before");
        if (b != null) {
            try {
                before = Long.parseLong(b);
            } catch (NumberFormatException e) {
                throw CloudError.invalidRequest("before", "must be an event id (a whole number)");
            }
        }
        List<Map<String, Object>> events = new ArrayList<>();
        for (AuditEvent e : service.audit(before, call.limit())) {
            events.add(Views.audit(e));
        }
        return new Reply(200, Map.of("events", events));
    }

}
