package io.edgeflow.cloud.server;

import java.util.Map;
import java.util.concurrent.CompletionException;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.nodes.NodeMessages;
import io.edgeflow.cloud.nodes.NodeSettings;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.tunnel.TunnelException;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * The calls other nodes of the cloud make to this one ({@code POST /api/v1/nodes/forward}, {@code POST
 * /api/v1/nodes/revoke}, see {@link NodeMessages}), authenticated with the shared node secret in
 * {@value NodeSettings#SECRET_HEADER}. A forwarded request goes only to a tunnel held here, never on to a third
 * node. A single node ({@code nodes} null) answers 404 for these paths, as for any unknown path.
 */
final class NodeCalls {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCalls.class);

    private final ApiHandler api;
    private final TunnelHub tunnels;
    private final NodeSettings nodes;

    NodeCalls(ApiHandler api, TunnelHub tunnels, NodeSettings nodes) {
        this.api = api;
        this.tunnels = tunnels;
        this.nodes = nodes;
    }

    /** @return true if this node is one of several and the path is a node call */
    boolean matches(String path) {
        return nodes != null && path != null && path.startsWith(NodeMessages.PREFIX);
    }

    void handle(Request request, Response response, Callback callback, String method, String path, String source) {
        Reply refused = null;
        if (!nodes.accepts(request.getHeaders().get(NodeSettings.SECRET_HEADER))) {
            api.faults().warn("node secret", "{} {} from {}: no or a wrong node secret", method, path, source);
            refused = new Reply(401, Reply.errorBody("invalid_credentials",
                    "Node calls carry the cloud's node secret in " + NodeSettings.SECRET_HEADER + "."));
        } else if (!"POST".equals(method)) {
            refused = new Reply(405, Reply.errorBody("method_not_allowed", "Node calls are POST."),
                    Map.of("Allow", "POST"));
        } else if (!path.equals(NodeMessages.FORWARD) && !path.equals(NodeMessages.REVOKE)) {
            refused = new Reply(404, Reply.errorBody("not_found", "No node call " + path + "."));
        }
        if (refused != null) {
            api.finish(request, response, refused, false, true, callback);
            return;
        }
        long max = tunnels.settings().maxFrameChars();
        BodyRead.start(request, (int) max, api.limits().bodyTimeoutFor(request.getLength()), (body, received, failure) -> {
            if (failure != null) {
                api.finish(request, response, failure instanceof CloudError e ? Reply.error(e)
                        : Reply.error(JsonBodies.Failure.of(failure).error()), false, false, callback);
                return;
            }
            try {
                if (path.equals(NodeMessages.REVOKE)) {
                    String deviceId = NodeMessages.readRevoke(body);
                    LOG.info("Node call from {}: {} revoked on another node; its tunnel here, if any, closes",
                            source, LogText.of(deviceId));
                    tunnels.revokeHere(deviceId);
                    api.finish(request, response, new Reply(200, Map.of("device_id", deviceId)), false, true,
                            callback);
                } else {
                    forward(response, callback, NodeMessages.readForward(body));
                }
            } catch (CloudError e) {
                api.finish(request, response, Reply.error(e), false, true, callback);
            }
        });
    }

    private void forward(Response response, Callback callback, NodeMessages.Forwarded call) {
        tunnels.forwardHere(call.deviceId(), call.request()).whenComplete((answer, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            Reply reply;
            if (failure == null) {
                reply = new Reply(200, NodeMessages.answer(answer));
            } else if (cause instanceof TunnelException e) {
                reply = new Reply(e.status(), Reply.errorBody(e.code(), e.getMessage()));
            } else {
                LOG.error("Forwarding to {} for another node failed: {}", LogText.of(call.deviceId()),
                        LogText.of(cause), cause);
                reply = new Reply(500, Reply.errorBody("internal_error", "The node could not forward this request."));
            }
            api.write(response, reply, false, callback);
        });
    }
}
