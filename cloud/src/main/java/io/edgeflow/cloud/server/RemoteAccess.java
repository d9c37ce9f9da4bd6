package io.edgeflow.cloud.server;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.tunnel.LocalRequest;
import io.edgeflow.cloud.tunnel.LocalResponse;
import io.edgeflow.cloud.tunnel.TunnelException;
import io.edgeflow.cloud.tunnel.TunnelHub;
import io.edgeflow.protocol.TunnelProtocol;

/**
 * {@code GET|POST|PUT|DELETE /api/v1/admin/devices/{id}/local/<path>}: an operator's request for a
 * device's local API, forwarded through the device's tunnel; the device's answer is returned as it
 * came. Only paths under {@code /api/v1/} are forwarded. The caller's {@code Authorization} (the admin
 * token) never reaches the device. Answered asynchronously: no server thread waits for the device.
 */
final class RemoteAccess {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteAccess.class);
    static final String PREFIX = "/api/v1/admin/devices/";
    private static final String LOCAL = "/local";
    private static final Set<String> METHODS = TunnelProtocol.METHODS;
    /** Request headers passed on to the device; everything else stays in the cloud. */
    private static final Set<String> REQUEST_HEADERS = TunnelProtocol.REQUEST_HEADERS;
    /** Answer headers passed back from the device. */
    private static final Set<String> RESPONSE_HEADERS = TunnelProtocol.RESPONSE_HEADERS;

    private final ApiHandler api;
    private final ProvisioningService service;
    private final AdminTokens adminTokens;
    private final TunnelHub tunnels;

    RemoteAccess(ApiHandler api, ProvisioningService service, AdminTokens adminTokens, TunnelHub tunnels) {
        this.api = api;
        this.service = service;
        this.adminTokens = adminTokens;
        this.tunnels = tunnels;
    }

    /**
     * @param path the request path
     * @return true for {@code /api/v1/admin/devices/{id}/local} and everything under it
     */
    static boolean matches(String path) {
        if (path == null || !path.startsWith(PREFIX)) {
            return false;
        }
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return false;
        }
        String after = rest.substring(slash);
        return after.equals(LOCAL) || after.startsWith(LOCAL + "/");
    }

    void handle(Request request, Response response, Callback callback, String method, String source) {
        try {
            if (!adminTokens.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                api.finish(request, response, new Reply(401, Reply.errorBody("invalid_credentials",
                        "Admin calls need 'Authorization: Bearer <admin token>' (the token is in <data-dir>/"
                                + AdminTokens.FILE_NAME + ")."),
                        Map.of("WWW-Authenticate", "Bearer realm=\"edgeflow-admin\"")), false, true, callback);
                return;
            }
            if (!METHODS.contains(method)) {
                throw new ReplyException(new Reply(405, Reply.errorBody("method_not_allowed",
                        "Method " + method + " is not forwarded to devices; allowed: DELETE, GET, POST, PUT"),
                        Map.of("Allow", "DELETE, GET, POST, PUT")));
            }
            Destination to = destination(request);
            String deviceId = to.deviceId();
            String target = to.target();
            service.device(deviceId); // 404 for an unknown device
            checkTarget(target);
            String query = request.getHttpURI().getQuery();
            Map<String, String> headers = forwardedHeaders(request);
            int max = tunnels.settings().maxBodyBytes();
            if (request.getLength() > max) {
                throw new CloudError(413, "request_too_large", "The body is larger than " + max + " bytes.");
            }
            String path = query == null ? target : target + "?" + query;
            if (!JsonBodies.hasBody(request)) {
                forward(response, callback, method, source, deviceId, target,
                        new LocalRequest(method, path, headers, new byte[0]));
                return;
            }
            readBodyThenForward(request, response, callback, source, max, to,
                    body -> new LocalRequest(method, path, headers, body));
        } catch (ReplyException e) {
            api.finish(request, response, e.reply, false, true, callback);
        } catch (CloudError e) {
            api.finish(request, response, Reply.error(e), false, true, callback);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed: {}", LogText.of(method), LogText.of(Request.getPathInContext(request)),
                    LogText.of(e), e);
            api.finish(request, response, new Reply(500, Reply.errorBody("internal_error",
                    "The cloud could not answer this request; see its log.")), false, true, callback);
        }
    }

    /** Where a request goes: the device, and the path on its local API (still percent-encoded, as sent). */
    private record Destination(String deviceId, String target) {
    }

    /** The raw (still encoded) path: what the device receives is exactly what the operator sent. */
    private static Destination destination(Request request) throws CloudError {
        String raw = request.getHttpURI().getPath();
        if (!matches(raw)) {
            throw new CloudError(400, "invalid_request",
                    "Write the /api/v1/admin/devices/{id}/local part of the path without percent-encoding.");
        }
        String rest = raw.substring(PREFIX.length());
        String deviceId = rest.substring(0, rest.indexOf('/'));
        if (!deviceId.matches("[A-Za-z0-9_]{1,64}")) {
            throw new CloudError(404, "not_found", "No device with id " + deviceId + ".");
        }
        return new Destination(deviceId, rest.substring(rest.indexOf('/') + LOCAL.length()));
    }

    private static Map<String, String> forwardedHeaders(Request request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : REQUEST_HEADERS) {
            String value = request.getHeaders().get(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return headers;
    }

    /** Reads the body without holding a thread while it arrives, within the body timeout (as the API's bodies). */
    private void readBodyThenForward(Request request, Response response, Callback callback, String source, int max,
            Destination to, java.util.function.Function<byte[], LocalRequest> withBody) {
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        BodyRead.start(request, max, api.limits().bodyTimeoutFor(request.getLength()), (body, received, failure) -> {
            if (failure == null) {
                forward(response, callback, method, source, to.deviceId(), to.target(), withBody.apply(body));
                return;
            }
            CloudError error;
            boolean drain = true;
            if (failure instanceof CloudError e) {
                error = new CloudError(413, "request_too_large", e.getMessage());
            } else {
                drain = false; // a broken, aborted or stalled body: nothing more will come in time
                JsonBodies.Failure kind = JsonBodies.Failure.of(failure);
                api.faults().warn(kind.kind, "{} {} from {}: {} ({} of {} bytes; {})", method,
                        Request.getPathInContext(request), source, kind.message, received,
                        request.getLength() < 0 ? "chunked" : request.getLength(), failure.getClass().getSimpleName());
                error = kind.error();
            }
            api.finish(request, response, Reply.error(error), false, drain, callback);
        });
    }

    private void forward(Response response, Callback callback, String method, String source, String deviceId,
            String target, LocalRequest forwarded) {
        try {
            tunnels.forward(deviceId, forwarded).whenComplete((answer, failure) -> {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (!method.equals("GET")) {
                    audit(source, deviceId, method, target, answer != null ? Integer.toString(answer.status())
                            : cause instanceof TunnelException e ? e.code() : "internal_error");
                }
                if (failure == null) {
                    writeDeviceAnswer(response, answer, callback);
                } else {
                    if (cause instanceof TunnelException e) {
                        api.write(response, new Reply(e.status(), Reply.errorBody(e.code(),
                                e.getMessage())), false, callback);
                    } else {
                        LOG.error("Forwarding {} to {} failed: {}", method, deviceId, LogText.of(cause), cause);
                        api.write(response, new Reply(500, Reply.errorBody("internal_error",
                                "The cloud could not forward this request; see its log.")), false, callback);
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.error("Forwarding {} to {} failed: {}", method, deviceId, LogText.of(e), e);
            api.write(response, new Reply(500, Reply.errorBody("internal_error",
                    "The cloud could not forward this request; see its log.")), false, callback);
        }
    }

    /** Requests that change something on a device go into the audit trail; reads do not. */
    private void audit(String source, String deviceId, String method, String target, String result) {
        try {
            service.auditRemoteAccess(source, deviceId, method, target, result);
        } catch (RuntimeException e) {
            LOG.error("Could not audit {} {} on {}: {}", method, LogText.of(target), deviceId, LogText.of(e), e);
        }
    }

    /** Only the device's own API, never a path that could climb out of it. */
    static void checkTarget(String target) throws CloudError {
        String lower = target.toLowerCase(Locale.ROOT);
        boolean allowed = target.startsWith("/api/v1/") && !lower.contains("%2e") && !lower.contains("%2f")
                && !lower.contains("%5c") && !target.contains("\\") && !target.contains("//");
        if (allowed) {
            for (String segment : target.split("/")) {
                if (segment.equals("..") || segment.equals(".")) {
                    allowed = false;
                    break;
                }
            }
        }
        if (!allowed) {
            throw new CloudError(403, "path_not_allowed", "Only paths under /api/v1/ of the device are forwarded, "
                    + "without '.', '..' or encoded separators; for example /api/v1/admin/devices/{id}/local/api/v1/device/facts.");
        }
    }

    private static void writeDeviceAnswer(Response response, LocalResponse answer, Callback callback) {
        response.setStatus(answer.status());
        answer.headers().forEach((name, value) -> {
            if (RESPONSE_HEADERS.contains(name)) {
                response.getHeaders().put(name, value);
            }
        });
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }

    /** A prepared answer that ends handling early. */
    private static final class ReplyException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Reply reply;

        ReplyException(Reply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }
    }
}
