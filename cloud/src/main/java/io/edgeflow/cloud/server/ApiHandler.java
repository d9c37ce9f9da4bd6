package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.AuthenticatedDevice;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.DeviceDetails;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.provisioning.RegistrationRequest;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.tunnel.TunnelHub;
import io.edgeflow.cloud.tunnel.TunnelProtocol;

/**
 * The cloud's HTTP API (see {@code docs/protocol.md}): device registration, confirmation and key
 * rotation, and the admin API. Every answer is JSON; every error is {@code {"error", "message"}} with a
 * fitting status; a defect answers 500 {@code internal_error} and never a stack trace.
 */
final class ApiHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** Largest request body accepted, in bytes. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final ProvisioningService service;
    private final AdminTokens adminTokens;
    private final TunnelHub tunnels;
    private final RemoteAccess remoteAccess;
    private final List<Route> routes = new ArrayList<>();
    private final ClientFaultLog faults;
    private final ConnectionLimits limits;

    /** Request attribute: the body was read to its end. */
    private static final String BODY_READ = "edgeflow.body.read";

    /** A JSON answer. */
    record Reply(int status, Object body, Map<String, String> headers) {
        Reply(int status, Object body) {
            this(status, body, Map.of());
        }
    }

    /** One request as a handler sees it. */
    final class Call {
        final Request request;
        final List<String> params;
        final String source;
        /** The body as it arrived (empty if there was none); read before the endpoint runs. */
        byte[] rawBody = new byte[0];

        Call(Request request, List<String> params, String source) {
            this.request = request;
            this.params = params;
            this.source = source;
        }

        String param(int i) {
            return params.get(i);
        }

        String header(HttpHeader header) {
            return request.getHeaders().get(header);
        }

        JsonNode body(boolean required) throws CloudError {
            return JsonBodies.parse(json, rawBody, required);
        }

        String query(String name) {
            Fields fields = Request.extractQueryParameters(request);
            Fields.Field f = fields.get(name);
            return f == null ? null : f.getValue();
        }
    }

    @FunctionalInterface
    interface Endpoint {
        Reply handle(Call call) throws CloudError, IOException;
    }

    /**
     * What is checked before a body is read, so that a refused caller never gets to send one: the admin
     * token, a locked-out address.
     */
    @FunctionalInterface
    interface Gate {
        /** @return null to go on, or the answer that ends the request */
        Reply check(Call call) throws CloudError;
    }

    /**
     * Told when a request's body is refused before it is read or for its size (registration audits it); a body
     * that never arrived whole is only logged.
     */
    @FunctionalInterface
    interface BodyRefusal {
        void refused(Call call, CloudError error);
    }

    /**
     * @param readsBody true for the endpoints that take a JSON body (read before the endpoint runs, without
     *        holding a thread while it arrives); the others answer without reading one
     */
    private record Route(String method, String[] segments, Endpoint endpoint, Gate gate, boolean readsBody,
            BodyRefusal onRefusal) {
        List<String> match(String[] path) {
            if (path.length != segments.length) {
                return null;
            }
            List<String> params = new ArrayList<>();
            for (int i = 0; i < path.length; i++) {
                if ("{}".equals(segments[i])) {
                    if (path[i].isEmpty()) {
                        return null;
                    }
                    params.add(path[i]);
                } else if (!segments[i].equals(path[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    ApiHandler(ProvisioningService service, AdminTokens adminTokens, TunnelHub tunnels, ConnectionLimits limits,
            ClientFaultLog faults) {
        this.limits = limits;
        this.service = service;
        this.adminTokens = adminTokens;
        this.tunnels = tunnels;
        this.faults = faults;
        this.remoteAccess = new RemoteAccess(this, service, adminTokens, tunnels);
        route("GET", "/api/v1/health", c -> new Reply(200, Map.of("status", "ok")));
        route("GET", TunnelProtocol.PATH, c -> new Reply(426, errorBody("upgrade_required",
                "This is the device tunnel: open it as a WebSocket with the sub-protocol " + TunnelProtocol.V1 + "."),
                Map.of("Upgrade", "websocket", "Connection", "Upgrade")));

        routes.add(new Route("POST", segments("/api/v1/devices/register"), this::register, this::registrationGate,
                true, (call, e) -> service.auditRefusedRegistration(call.source, null, e)));
        route("GET", "/api/v1/devices/{}", this::deviceSelf);
        routes.add(new Route("POST", segments("/api/v1/devices/{}/confirm"), this::confirm, null, true, null));
        routes.add(new Route("POST", segments("/api/v1/devices/{}/rotate-key"), this::rotateKey, null, true, null));

        admin("POST", "/api/v1/admin/provisioning-codes", this::createCode, true);
        admin("GET", "/api/v1/admin/provisioning-codes", this::listCodes, false);
        admin("GET", "/api/v1/admin/provisioning-codes/{}", this::getCode, false);
        admin("DELETE", "/api/v1/admin/provisioning-codes/{}", this::revokeCode, false);
        admin("GET", "/api/v1/admin/devices", this::listDevices, false);
        admin("GET", "/api/v1/admin/devices/{}", this::getDevice, false);
        admin("DELETE", "/api/v1/admin/devices/{}", this::revokeDevice, false);
        admin("GET", "/api/v1/admin/audit", this::audit, false);
    }

    private void route(String method, String pattern, Endpoint endpoint) {
        routes.add(new Route(method, segments(pattern), endpoint, null, false, null));
    }

    private void admin(String method, String pattern, Endpoint endpoint, boolean readsBody) {
        routes.add(new Route(method, segments(pattern), endpoint, this::adminGate, readsBody, null));
    }

    private static String[] segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.split("/", -1);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        String path = Request.getPathInContext(request);
        String source = Request.getRemoteAddr(request);
        if (RemoteAccess.matches(path)) {
            remoteAccess.handle(request, response, callback, method, source);
            return true;
        }
        Route route;
        Call call;
        try {
            Match match = match(method, path);
            if (match.refusal != null) {
                finish(request, response, match.refusal, method, callback);
                return true;
            }
            route = match.route;
            call = new Call(request, match.params, source);
            Reply refused = route.gate == null ? null : route.gate.check(call);
            if (refused != null) {
                finish(request, response, refused, method, callback);
                return true;
            }
        } catch (CloudError e) {
            finish(request, response, error(e), method, callback);
            return true;
        } catch (RuntimeException e) {
            finish(request, response, defect(method, path, e), method, callback);
            return true;
        }
        if (!route.readsBody || !JsonBodies.hasBody(request)) {
            finish(request, response, run(route, call, method, path), method, callback);
            return true;
        }
        try {
            JsonBodies.checkMediaType(request);
            if (request.getLength() > MAX_BODY_BYTES) {
                throw new CloudError(413, "invalid_request", "The body is larger than " + MAX_BODY_BYTES + " bytes.");
            }
        } catch (CloudError e) {
            finish(request, response, refuseBody(route, call, e), method, callback);
            return true;
        }
        Route matched = route;
        BodyRead.start(request, MAX_BODY_BYTES, limits.bodyTimeoutFor(request.getLength()), (body, received, failure) -> {
            Reply reply;
            boolean drain = true;
            if (failure == null) {
                request.setAttribute(BODY_READ, Boolean.TRUE);
                call.rawBody = body;
                reply = run(matched, call, method, path);
            } else if (failure instanceof CloudError e) {
                reply = refuseBody(matched, call, e);
            } else {
                drain = false; // a broken, aborted or stalled body: nothing more will come in time
                // the caller's doing (a broken or aborted upload, a stall): one short line, never a trace, and
                // nothing else: not audited (no code was seen, and this may run on Jetty's scheduler thread)
                JsonBodies.Failure kind = JsonBodies.Failure.of(failure);
                faults.warn(kind.kind, "{} {} from {}: {} ({} of {} bytes; {})", method, path, source, kind.message,
                        received, request.getLength() < 0 ? "chunked" : request.getLength(),
                        failure.getClass().getSimpleName());
                reply = error(kind.error());
            }
            finish(request, response, reply, "HEAD".equals(method), drain, callback);
        });
        return true;
    }

    /** The route a request goes to and its path parameters, or the 405 that says which methods it takes. */
    private record Match(Route route, List<String> params, Reply refusal) {
    }

    private Match match(String method, String path) throws CloudError {
        String[] parts = segments(path);
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            List<String> params = r.match(parts);
            if (params == null) {
                continue;
            }
            if (r.method.equals(method) || ("HEAD".equals(method) && "GET".equals(r.method))) {
                return new Match(r, params, null);
            }
            allowed.add(r.method);
        }
        if (allowed.isEmpty()) {
            throw new CloudError(404, "not_found", "No such endpoint: " + path);
        }
        CloudError e = new CloudError(405, "method_not_allowed",
                "Method " + method + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed));
        return new Match(null, null, new Reply(405, errorBody(e.code(), e.getMessage()),
                Map.of("Allow", String.join(", ", allowed))));
    }

    /** @return what one client may hold (the body timeout) */
    ConnectionLimits limits() {
        return limits;
    }

    /** @return where clients' faults are logged */
    ClientFaultLog faults() {
        return faults;
    }

    private Reply run(Route route, Call call, String method, String path) {
        try {
            return route.endpoint.handle(call);
        } catch (CloudError e) {
            return error(e);
        } catch (RuntimeException | IOException e) {
            return defect(method, path, e);
        }
    }

    private Reply refuseBody(Route route, Call call, CloudError e) {
        if (route.onRefusal != null) {
            try {
                route.onRefusal.refused(call, e);
            } catch (RuntimeException failure) {
                LOG.error("Could not audit a refused body: {}", LogText.of(failure), failure);
            }
        }
        return error(e);
    }

    private static Reply defect(String method, String path, Exception e) {
        // Our defect or a broken disk, not the caller's mistake: log the type and where, never the body.
        LOG.error("{} {} failed: {}", method, LogText.of(path), LogText.of(e), e);
        return new Reply(500, errorBody("internal_error", "The cloud could not answer this request; see its log."));
    }

    private void finish(Request request, Response response, Reply reply, String method, Callback callback) {
        finish(request, response, reply, "HEAD".equals(method), true, callback);
    }

    /**
     * Writes an answer. If the request's body was left unread (a refusal before the body was needed, a body
     * too large), the answer says {@code Connection: close}, or the client would send its next request on a
     * connection about to close; and unless {@code drain} is false (a body that broke or stalled), the rest of
     * the body is read and discarded after the answer (within {@link BodyDrain}'s bounds), so that the close
     * is orderly and the client, which may still be sending, does not lose the answer to a reset.
     *
     * @param request the request
     * @param response its response
     * @param reply the answer
     * @param headOnly true for HEAD: the headers only
     * @param drain false if the body cannot be read any further
     * @param callback the request's callback
     */
    void finish(Request request, Response response, Reply reply, boolean headOnly, boolean drain, Callback callback) {
        if (!hasUnreadBody(request)) {
            write(response, reply, headOnly, callback);
            return;
        }
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        write(response, reply, headOnly, drain ? BodyDrain.afterAnswer(request, limits, callback) : callback);
    }

    private static boolean hasUnreadBody(Request request) {
        return JsonBodies.hasBody(request) && request.getAttribute(BODY_READ) == null;
    }

    // ---------------------------------------------------------------- device endpoints

    private Reply registrationGate(Call call) throws CloudError {
        try {
            service.checkNotLockedOut(call.source);
        } catch (CloudError e) {
            service.auditRefusedRegistration(call.source, null, e);
            throw e;
        }
        return null;
    }

    private Reply register(Call call) throws CloudError, IOException {
        JsonNode body = null;
        RegistrationRequest request;
        try {
            body = call.body(true);
            request = RegistrationRequest.from(body);
        } catch (CloudError e) {
            service.auditRefusedRegistration(call.source, RegistrationRequest.maskedCodeOf(body), e);
            throw e;
        }
        IssuedKey issued = service.register(request, call.source);
        return new Reply(201, Views.issuedKey(issued));
    }

    private Reply confirm(Call call) throws CloudError, IOException {
        String key = AdminTokens.bearer(call.header(HttpHeader.AUTHORIZATION)).orElse(null);
        call.body(false); // an empty body, or any JSON object: nothing in it is needed
        AuthenticatedDevice confirmed = service.confirm(call.param(0), key, call.source);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", confirmed.device().id());
        m.put("status", confirmed.device().status());
        m.put("confirmed_at", Views.time(confirmed.key().confirmedAt()));
        m.put("expires_at", Views.time(confirmed.key().expiresAt()));
        return new Reply(200, m);
    }

    private Reply rotateKey(Call call) throws CloudError, IOException {
        String key = AdminTokens.bearer(call.header(HttpHeader.AUTHORIZATION)).orElse(null);
        call.body(false);
        return new Reply(200, Views.issuedKey(service.rotateKey(call.param(0), key, call.source)));
    }

    private Reply deviceSelf(Call call) throws CloudError {
        String key = AdminTokens.bearer(call.header(HttpHeader.AUTHORIZATION)).orElse(null);
        AuthenticatedDevice device = service.authenticate(call.param(0), key);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", device.device().id());
        m.put("status", device.device().status());
        m.put("key_status", device.key().status());
        m.put("expires_at", Views.time(device.key().expiresAt()));
        m.put("valid_until", Views.time(device.key().validUntil()));
        return new Reply(200, m);
    }

    // ---------------------------------------------------------------- admin endpoints

    private Reply adminGate(Call call) {
        if (!adminTokens.accepts(call.header(HttpHeader.AUTHORIZATION))) {
            CloudError e = CloudError.invalidCredentials("Admin calls need 'Authorization: Bearer <admin token>'"
                    + " (the token is in <data-dir>/" + AdminTokens.FILE_NAME + ").");
            return new Reply(401, errorBody(e.code(), e.getMessage()),
                    Map.of("WWW-Authenticate", "Bearer realm=\"edgeflow-admin\""));
        }
        return null;
    }

    private Reply createCode(Call call) throws CloudError, IOException {
        JsonNode body = call.body(false);
        Long ttl = null;
        String label = null;
        if (body != null) {
            JsonNode t = body.get("ttl_seconds");
            if (t != null && !t.isNull()) {
                if (!t.canConvertToLong() || !t.isIntegralNumber()) {
                    throw CloudError.invalidRequest("ttl_seconds", "must be a whole number of seconds");
                }
                ttl = t.asLong();
            }
            JsonNode l = body.get("label");
            if (l != null && !l.isNull()) {
                if (!l.isTextual()) {
                    throw CloudError.invalidRequest("label", "must be a string");
                }
                label = l.asText();
            }
        }
        ProvisioningService.IssuedCode issued = service.createCode(ttl, label, call.source);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", issued.record().id());
        m.put("code", issued.code().value());
        m.put("expires_at", Views.time(issued.record().expiresAt()));
        m.put("label", issued.record().label());
        return new Reply(201, m);
    }

    private Reply listCodes(Call call) throws CloudError {
        int limit = limit(call);
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
        return new Reply(200, Views.code(service.code(call.param(0)), service.now()));
    }

    private Reply revokeCode(Call call) throws CloudError {
        return new Reply(200, Views.code(service.revokeCode(call.param(0), call.source), service.now()));
    }

    private Reply listDevices(Call call) throws CloudError {
        int limit = limit(call);
        long now = service.now();
        List<Map<String, Object>> devices = new ArrayList<>();
        for (DeviceDetails d : service.listDevices(limit)) {
            devices.add(Views.device(d, now, json, tunnels.presence(d.device().id())));
        }
        return new Reply(200, Map.of("devices", devices));
    }

    private Reply getDevice(Call call) throws CloudError {
        DeviceDetails d = service.device(call.param(0));
        return new Reply(200, Views.device(d, service.now(), json, tunnels.presence(d.device().id())));
    }

    private Reply revokeDevice(Call call) throws CloudError {
        DeviceDetails d = service.revokeDevice(call.param(0), call.source);
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
        for (AuditEvent e : service.audit(before, limit(call))) {
            events.add(Views.audit(e));
        }
        return new Reply(200, Map.of("events", events));
    }

    private static int limit(Call call) throws CloudError {
        String l = call.query("limit");
        if (l == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(l);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw CloudError.invalidRequest("limit", "must be a whole number from 1 to 1000");
    }

    // ---------------------------------------------------------------- JSON in and out

    static Map<String, Object> errorBody(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("message", message);
        return m;
    }

    static Reply error(CloudError e) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (e.retryAfterSeconds() > 0) {
            headers.put("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            headers.put("WWW-Authenticate", "Bearer");
        }
        return new Reply(e.status(), errorBody(e.code(), e.getMessage()), headers);
    }

    void write(Response response, Reply reply, boolean headOnly, Callback callback) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(reply.body());
        } catch (JsonProcessingException e) {
            LOG.error("Cannot serialise a reply: {}", e.toString());
            bytes = "{\"error\": \"internal_error\", \"message\": \"serialisation failed\"}".getBytes();
        }
        byte[] withNewline = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNewline, 0, bytes.length);
        withNewline[bytes.length] = '\n';
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, withNewline.length);
        response.write(true, headOnly ? ByteBuffer.allocate(0) : ByteBuffer.wrap(withNewline), callback);
    }
}
