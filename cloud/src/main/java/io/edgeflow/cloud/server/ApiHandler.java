package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.tunnel.TunnelHub;
import io.edgeflow.cloud.updates.Artifacts;
import io.edgeflow.cloud.updates.Rollouts;
import io.edgeflow.protocol.TunnelProtocol;

/**
 * The cloud's HTTP API (see {@code docs/protocol.md}): finds the endpoint ({@link ApiRoutes}; the
 * endpoints are {@link DeviceApi} and {@link AdminApi}, the device's local API is {@link RemoteAccess}),
 * checks its gate, reads the body without holding a thread, runs it, and writes the answer. Every answer
 * is JSON; every error is {@code {"error", "message"}} with a fitting status; a defect answers 500
 * {@code internal_error} and never a stack trace.
 * <p>
 * Threading: one instance serves every request at once; it holds only what is fixed at start. A request
 * runs on the thread Jetty calls {@link #handle} on until its body is needed, then on the thread that
 * finishes reading that body.
 */
final class ApiHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** Largest request body accepted, in bytes. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    /** Request attribute: the body was read to its end. */
    private static final String BODY_READ = "edgeflow.body.read";

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final ApiRoutes routes = new ApiRoutes();
    private final RemoteAccess remoteAccess;
    private final NodeCalls nodeCalls;
    private final ClientFaultLog faults;
    private final ConnectionLimits limits;
    /** Where uploads are written as they arrive. */
    private final java.nio.file.Path uploads;

    ApiHandler(ProvisioningService service, AdminTokens adminTokens, TunnelHub tunnels, ConnectionLimits limits,
            ClientFaultLog faults, Artifacts artifacts, Rollouts rollouts, java.nio.file.Path caFile,
            io.edgeflow.cloud.nodes.NodeSettings nodes) {
        this.limits = limits;
        this.uploads = artifacts.incoming();
        this.faults = faults;
        this.remoteAccess = new RemoteAccess(this, service, adminTokens, tunnels);
        this.nodeCalls = new NodeCalls(this, tunnels, nodes);
        routes.add("GET", "/api/v1/health", c -> new Reply(200, Map.of("status", "ok")));
        routes.add("GET", TunnelProtocol.PATH, c -> new Reply(426, Reply.errorBody("upgrade_required",
                "This is the device tunnel: open it as a WebSocket with the sub-protocol " + TunnelProtocol.V1 + "."),
                Map.of("Upgrade", "websocket", "Connection", "Upgrade")));
        new DeviceApi(service).addTo(routes);
        AdminApi admin = new AdminApi(service, adminTokens, tunnels, json);
        admin.addTo(routes);
        new PreProvisioningApi(service, admin, caFile).addTo(routes);
        new UpdateApi(service, admin, artifacts, rollouts).addTo(routes);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        String path = Request.getPathInContext(request);
        String source = Request.getRemoteAddr(request);
        if (nodeCalls.matches(path)) {
            nodeCalls.handle(request, response, callback, method, path, source);
            return true;
        }
        if (RemoteAccess.matches(path)) {
            remoteAccess.handle(request, response, callback, method, source);
            return true;
        }
        ApiRoutes.Route route;
        Call call;
        try {
            ApiRoutes.Match match = routes.match(method, path);
            if (match.refusal() != null) {
                finish(request, response, match.refusal(), method, callback);
                return true;
            }
            route = match.route();
            call = new Call(request, match.params(), source, json);
            Reply refused = route.gate() == null ? null : route.gate().check(call);
            if (refused != null) {
                finish(request, response, refused, method, callback);
                return true;
            }
        } catch (CloudError e) {
            finish(request, response, Reply.error(e), method, callback);
            return true;
        } catch (RuntimeException e) {
            finish(request, response, defect(method, path, e), method, callback);
            return true;
        }
        if (route.uploads() && JsonBodies.hasBody(request)) {
            readUploadThenRun(route, call, response, method, path, callback);
        } else if (!route.readsBody() || !JsonBodies.hasBody(request)) {
            finish(request, response, run(route, call, method, path), method, callback);
        } else {
            readBodyThenRun(route, call, response, method, path, callback);
        }
        return true;
    }

    /**
     * Reads an uploaded file into a temporary file (within its size and time bounds), then runs the endpoint on the
     * thread that read it; the endpoint owns the file from then on.
     */
    private void readUploadThenRun(ApiRoutes.Route route, Call call, Response response, String method, String path,
            Callback callback) {
        Request request = call.request;
        try {
            checkUploadType(request);
            if (request.getLength() > route.uploadLimit()) {
                throw new CloudError(413, "body_too_large", "The upload is larger than " + route.uploadLimit()
                        + " bytes (the cloud's --max-artifact-size).");
            }
        } catch (CloudError e) {
            finish(request, response, Reply.error(e), method, callback);
            return;
        }
        UploadRead.start(request, route.uploadLimit(), uploads, limits.bodyTimeoutFor(request.getLength()),
                (upload, received, failure) -> {
                    Reply reply;
                    boolean drain = true;
                    if (failure == null) {
                        request.setAttribute(BODY_READ, Boolean.TRUE);
                        call.upload = upload;
                        reply = run(route, call, method, path);
                        upload.discard();
                    } else if (failure instanceof CloudError e) {
                        reply = Reply.error(e);
                    } else if (failure instanceof IOException e) {
                        reply = defect(method, path, e);
                    } else {
                        drain = false;
                        reply = brokenBody(request, method, path, call.source, received, failure);
                    }
                    finish(request, response, reply, "HEAD".equals(method), drain, callback);
                });
    }

    private static void checkUploadType(Request request) throws CloudError {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!base.equals("application/java-archive") && !base.equals("application/octet-stream")) {
            throw new CloudError(415, "invalid_request", type == null
                    ? "Send the jar with 'Content-Type: application/java-archive'."
                    : "Send the jar as application/java-archive, not " + JsonBodies.printable(type) + ".");
        }
    }

    /** Reads the body (within its size and time bounds), then runs the endpoint on the thread that read it. */
    private void readBodyThenRun(ApiRoutes.Route route, Call call, Response response, String method, String path,
            Callback callback) {
        Request request = call.request;
        try {
            JsonBodies.checkMediaType(request);
            if (request.getLength() > MAX_BODY_BYTES) {
                throw new CloudError(413, "invalid_request", "The body is larger than " + MAX_BODY_BYTES + " bytes.");
            }
        } catch (CloudError e) {
            finish(request, response, refuseBody(route, call, e), method, callback);
            return;
        }
        BodyRead.start(request, MAX_BODY_BYTES, limits.bodyTimeoutFor(request.getLength()), (body, received, failure) -> {
            Reply reply;
            boolean drain = true;
            if (failure == null) {
                request.setAttribute(BODY_READ, Boolean.TRUE);
                call.rawBody = body;
                reply = run(route, call, method, path);
            } else if (failure instanceof CloudError e) {
                reply = refuseBody(route, call, e);
            } else {
                drain = false; // a broken, aborted or stalled body: nothing more will come in time
                reply = brokenBody(request, method, path, call.source, received, failure);
            }
            finish(request, response, reply, "HEAD".equals(method), drain, callback);
        });
    }

    /**
     * The caller's doing (a broken or aborted upload, a stall): one short line, never a trace, and nothing
     * else: not audited (no code was seen, and this may run on Jetty's scheduler thread).
     */
    private Reply brokenBody(Request request, String method, String path, String source, long received,
            Throwable failure) {
        JsonBodies.Failure kind = JsonBodies.Failure.of(failure);
        faults.warn(kind.kind, "{} {} from {}: {} ({} of {} bytes; {})", method, path, source, kind.message,
                received, request.getLength() < 0 ? "chunked" : request.getLength(),
                failure.getClass().getSimpleName());
        return Reply.error(kind.error());
    }

    /** @return what one client may hold (the body timeout) */
    ConnectionLimits limits() {
        return limits;
    }

    /** @return where clients' faults are logged */
    ClientFaultLog faults() {
        return faults;
    }

    private Reply run(ApiRoutes.Route route, Call call, String method, String path) {
        try {
            return route.endpoint().handle(call);
        } catch (CloudError e) {
            return Reply.error(e);
        } catch (RuntimeException | IOException e) {
            return defect(method, path, e);
        }
    }

    private Reply refuseBody(ApiRoutes.Route route, Call call, CloudError e) {
        if (route.onRefusal() != null) {
            try {
                route.onRefusal().refused(call, e);
            } catch (RuntimeException failure) {
                LOG.error("Could not audit a refused body: {}", LogText.of(failure), failure);
            }
        }
        return Reply.error(e);
    }

    private static Reply defect(String method, String path, Exception e) {
        // Our defect or a broken disk, not the caller's mistake: log the type and where, never the body.
        LOG.error("{} {} failed: {}", method, LogText.of(path), LogText.of(e), e);
        return new Reply(500, Reply.errorBody("internal_error", "The cloud could not answer this request; see its log."));
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

    /** A file's bytes (an artifact), as Jetty reads them from disk, without a thread held while the client reads. */
    private static void writeFile(Response response, Reply reply, Reply.FileBody file, boolean headOnly,
            Callback callback) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, file.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, file.length());
        if (headOnly || file.length() == 0) {
            response.write(true, null, callback);
            return;
        }
        org.eclipse.jetty.io.Content.copy(org.eclipse.jetty.io.Content.Source.from(file.file(), file.offset(),
                file.length()), response, callback);
    }

    private static boolean hasUnreadBody(Request request) {
        return JsonBodies.hasBody(request) && request.getAttribute(BODY_READ) == null;
    }

    void write(Response response, Reply reply, boolean headOnly, Callback callback) {
        if (reply.body() instanceof Reply.FileBody file) {
            writeFile(response, reply, file, headOnly, callback);
            return;
        }
        if (reply.body() == Reply.NO_CONTENT) {
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            response.write(true, null, callback);
            return;
        }
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
