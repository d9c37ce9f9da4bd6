package io.edgeflow.cloud.nodes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.NodeRow;
import io.edgeflow.cloud.store.PresenceRow;
import io.edgeflow.cloud.tunnel.LocalRequest;
import io.edgeflow.cloud.tunnel.LocalResponse;
import io.edgeflow.cloud.tunnel.Peers;
import io.edgeflow.cloud.tunnel.Presence;
import io.edgeflow.cloud.tunnel.TunnelException;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * This node among the others on one database. It writes the presence of the tunnels it holds to the store,
 * heartbeats its own row (with the last heartbeats of its devices, in one transaction) every sixth of the
 * device heartbeat timeout, and cleans up after any node whose heartbeat is older than that timeout minus one
 * period (its devices are then offline: no device shows online on a dead node for longer than the timeout).
 * A request for a device tunnelled to another node is carried there by a direct HTTPS call; a revocation is
 * told to every live node the same way. Thread-safe.
 */
public final class NodeCluster implements Peers, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCluster.class);
    /** The meta row holding {@link #keyCheck} of the nodes' code key. */
    static final String CODE_KEY_CHECK = "code_key_check";

    private final Database db;
    private final NodeSettings settings;
    private final TunnelHub hub;
    private final Clock clock;
    private final Duration timeout;
    private final Duration period;
    private final ScheduledExecutorService ticks;
    private final ExecutorService io;
    private final HttpClient http;

    private NodeCluster(Database db, NodeSettings settings, TunnelHub hub, Clock clock, X509Certificate served)
            throws GeneralSecurityException {
        this.db = db;
        this.settings = settings;
        this.hub = hub;
        this.clock = clock;
        this.timeout = hub.settings().idleTimeout();
        this.period = Duration.ofMillis(Math.max(200, timeout.toMillis() / 6));
        this.ticks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cloud-node-heartbeat"));
        this.io = Executors.newCachedThreadPool(r -> daemon(r, "cloud-node-calls"));
        this.http = HttpClient.newBuilder().sslContext(PinnedTrust.context(served)).executor(io)
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Joins the cloud: creates the node tables if missing, forgets what an earlier run of this node id left
     * behind, heartbeats, and from then on keeps the heartbeat and the cleaning going.
     *
     * @param db the shared database
     * @param settings this node
     * @param hub the tunnels held here; told of this cluster
     * @param clock the server's clock
     * @param served the certificate this node serves (every node serves the same)
     * @param codeKey the key provisioning codes are hashed with, which every node must share
     * @return the running cluster member; close it before the database
     * @throws GeneralSecurityException if the TLS context cannot be made
     * @throws IllegalStateException if this node's code key is not the other nodes'
     */
    public static NodeCluster join(Database db, NodeSettings settings, TunnelHub hub, Clock clock,
            X509Certificate served, byte[] codeKey) throws GeneralSecurityException {
        String check = keyCheck(codeKey);
        String agreed;
        try {
            agreed = db.transaction(tx -> {
                String known = tx.meta(CODE_KEY_CHECK);
                if (known == null) {
                    tx.putMeta(CODE_KEY_CHECK, check);
                    return check;
                }
                return known;
            });
        } catch (io.edgeflow.cloud.store.StoreException e) {
            // the first two nodes starting at once: the other wrote its check first, read it
            agreed = db.transaction(tx -> tx.meta(CODE_KEY_CHECK));
            if (agreed == null) {
                throw e;
            }
        }
        if (!agreed.equals(check)) {
            throw new IllegalStateException("This node's code-hash-key (in its data directory) is not the one the "
                    + "other nodes of this database use: codes created on one node would be unknown on another. "
                    + "Copy code-hash-key from the data directory of a node that ran before.");
        }
        NodeCluster cluster = new NodeCluster(db, settings, hub, clock, served);
        long now = clock.millis();
        db.transaction(tx -> {
            tx.nodes().removeNode(settings.nodeId(), now);
            tx.nodes().heartbeat(settings.nodeId(), settings.url().toString(), now);
            return null;
        });
        hub.peers(cluster);
        cluster.ticks.scheduleWithFixedDelay(cluster::tick, cluster.period.toMillis(), cluster.period.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("Node {} at {} joined the cloud (heartbeat every {} ms, dead after {} s)", settings.nodeId(),
                settings.url(), cluster.period.toMillis(), cluster.timeout.toSeconds());
        return cluster;
    }

    /** A check value of the code key (HMAC of a fixed text), kept in the database; not the key. */
    private static String keyCheck(byte[] codeKey) throws GeneralSecurityException {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(codeKey, "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(
                "edgeflow code-hash-key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** @return this node */
    public NodeSettings settings() {
        return settings;
    }

    /** One heartbeat: this node's row, its devices' last heartbeats, the dead nodes cleaned up. */
    void tick() {
        try {
            long now = clock.millis();
            Map<String, Long> beats = new HashMap<>();
            hub.heartbeats().forEach((id, at) -> beats.put(id, at.toEpochMilli()));
            int offline = db.transaction(tx -> {
                tx.nodes().heartbeat(settings.nodeId(), settings.url().toString(), now);
                tx.nodes().heartbeats(settings.nodeId(), beats);
                return tx.nodes().removeDeadNodes(now - timeout.toMillis() + period.toMillis(), now);
            });
            if (offline > 0) {
                LOG.info("Cleaned up after a node that stopped heartbeating: {} device(s) now offline", offline);
            }
        } catch (RuntimeException e) {
            LOG.error("Node heartbeat failed: {}", LogText.of(e), e);
        }
    }

    @Override
    public void opened(String deviceId, Instant connectedSince, Instant lastHeartbeat, String remoteAddress) {
        try {
            db.transaction(tx -> {
                tx.nodes().opened(deviceId, settings.nodeId(), connectedSince.toEpochMilli(), millis(lastHeartbeat),
                        remoteAddress);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("Could not record the tunnel of {} on this node: {}", LogText.of(deviceId), LogText.of(e), e);
        }
    }

    @Override
    public void closed(String deviceId, Instant at, Instant lastHeartbeat) {
        try {
            db.transaction(tx -> tx.nodes().closed(deviceId, settings.nodeId(), at.toEpochMilli(),
                    millis(lastHeartbeat)));
        } catch (RuntimeException e) {
            LOG.error("Could not record the closed tunnel of {}: {}", LogText.of(deviceId), LogText.of(e), e);
        }
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    @Override
    public Optional<Presence> presence(String deviceId) {
        Optional<PresenceRow> row = db.transaction(tx -> tx.nodes().presence(deviceId));
        if (row.isEmpty()) {
            return Optional.of(Presence.NEVER_SEEN);
        }
        PresenceRow p = row.get();
        boolean online = p.nodeId() != null && !p.nodeId().equals(settings.nodeId()) && p.nodeUrl() != null;
        Instant beat = instant(p.lastHeartbeatAt());
        if (online) {
            return Optional.of(new Presence(true, instant(p.connectedAt()), beat, null, p.remoteAddress(),
                    p.nodeId()));
        }
        // a row naming this node without a tunnel here is left from a failed write: the device is offline
        Instant gone = p.disconnectedAt() != null ? instant(p.disconnectedAt()) : clock.instant();
        return Optional.of(new Presence(false, null, beat, gone, null));
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    @Override
    public CompletableFuture<LocalResponse> forward(String deviceId, LocalRequest request) {
        Optional<PresenceRow> row = db.transaction(tx -> tx.nodes().presence(deviceId));
        PresenceRow p = row.orElse(null);
        if (p == null || p.nodeId() == null || p.nodeUrl() == null || p.nodeId().equals(settings.nodeId())) {
            return CompletableFuture.failedFuture(new TunnelException(502, "device_offline",
                    "Device " + deviceId + " is offline: it has no open tunnel to this cloud."));
        }
        byte[] body;
        try {
            body = NodeMessages.forward(deviceId, request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        Duration wait = hub.settings().requestTimeout().plusSeconds(5);
        String node = p.nodeId();
        CompletableFuture<LocalResponse> result = new CompletableFuture<>();
        send(p.nodeUrl(), NodeMessages.FORWARD, body, wait).whenComplete((answer, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                LOG.warn("Node {} holding the tunnel of {} did not answer: {}", node, LogText.of(deviceId),
                        LogText.of(cause));
                result.completeExceptionally(new TunnelException(502, "node_unreachable", "Device " + deviceId
                        + " is tunnelled to node " + node + ", which did not answer; the device reconnects to "
                        + "another node within its backoff."));
            } else if (answer.statusCode() == 200) {
                try {
                    result.complete(NodeMessages.readAnswer(answer.body()));
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(new TunnelException(502, "node_unreachable",
                            "Node " + node + " sent an unreadable answer."));
                }
            } else {
                JsonNode error = NodeMessages.readError(answer.body());
                result.completeExceptionally(new TunnelException(answer.statusCode(),
                        error.path("error").asText("node_error"),
                        error.path("message").asText("Node " + node + " answered " + answer.statusCode() + ".")));
            }
        });
        return result;
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public void revoked(String deviceId) {
        List<NodeRow> nodes;
        byte[] body;
        try {
            nodes = db.transaction(tx -> tx.nodes().liveNodes(clock.millis() - timeout.toMillis()));
            body = NodeMessages.revoke(deviceId);
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not tell the other nodes that {} is revoked: {}", LogText.of(deviceId), LogText.of(e), e);
            return;
        }
        for (NodeRow n : nodes) {
            if (n.nodeId().equals(settings.nodeId())) {
                continue;
            }
            send(n.url(), NodeMessages.REVOKE, body, Duration.ofSeconds(10)).whenComplete((answer, failure) -> {
                if (failure != null || answer.statusCode() != 200) {
                    LOG.warn("Node {} was not told that {} is revoked ({}); its tunnel there, if any, closes at its "
                            + "next authentication", n.nodeId(), LogText.of(deviceId),
                            failure != null ? LogText.of(failure) : "status " + answer.statusCode());
                }
            });
        }
    }

    private CompletableFuture<HttpResponse<byte[]>> send(String nodeUrl, String path, byte[] body, Duration wait) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(nodeUrl + path)).timeout(wait)
                .header("Content-Type", "application/json")
                .header(NodeSettings.SECRET_HEADER, settings.secretHeaderValue())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Leaves the cloud: stops heartbeating, marks this node's devices offline and removes its row. */
    @Override
    public void close() {
        ticks.shutdownNow();
        try {
            db.transaction(tx -> {
                tx.nodes().removeNode(settings.nodeId(), clock.millis());
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not remove node {} from the database: {}", settings.nodeId(), LogText.of(e));
        }
        io.shutdownNow();
    }
}
