package io.edgeflow.cloud.tunnel;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.LogText;
import io.edgeflow.protocol.TunnelProtocol;

/**
 * Every open device tunnel, one per device: a new tunnel of a device replaces (closes) its older one.
 * Keeps the devices' presence and forwards requests to them. Thread-safe.
 */
public final class TunnelHub {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelHub.class);

    private static final String REVOKED = "device revoked by an operator";

    private final TunnelSettings settings;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentHashMap<String, DeviceTunnel> open = new ConcurrentHashMap<>();
    /** Presence of devices whose tunnel closed, since the cloud started. */
    private final Map<String, Presence> closed = new ConcurrentHashMap<>();
    /** Devices revoked while this cloud runs: a tunnel authenticated just before the revocation is closed too. */
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    /** Told the device id each time a tunnel opens (after its hello): pending deployments are delivered then. */
    private final java.util.List<java.util.function.Consumer<String>> openListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The other nodes of the cloud; none for a single node. Set once, before the first tunnel. */
    private volatile Peers peers = Peers.NONE;

    /**
     * @param settings the tunnel settings
     * @param clock the server's clock (presence times)
     */
    public TunnelHub(TunnelSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * @param others the other nodes of the cloud: told of every tunnel here, asked for the devices not here
     */
    public void peers(Peers others) {
        this.peers = others;
    }

    /** @return the settings in force */
    public TunnelSettings settings() {
        return settings;
    }

    Instant now() {
        return clock.instant();
    }

    /**
     * A tunnel for a device that has just authenticated.
     *
     * @param deviceId the device
     * @param remoteAddress where it connects from
     * @return the WebSocket endpoint for the connection
     */
    DeviceTunnel newTunnel(String deviceId, String remoteAddress) {
        return new DeviceTunnel(this, json, deviceId, remoteAddress);
    }

    void attach(DeviceTunnel tunnel) {
        if (revoked.contains(tunnel.deviceId())) {
            tunnel.close(TunnelProtocol.CLOSE_CREDENTIALS, REVOKED);
            return;
        }
        Presence before = closed.remove(tunnel.deviceId());
        DeviceTunnel older = open.put(tunnel.deviceId(), tunnel);
        if (older != null) {
            tunnel.lastHeartbeat(older.lastHeartbeat());
            older.close(TunnelProtocol.CLOSE_REPLACED, "replaced by a newer tunnel of the same device");
        } else if (before != null) {
            tunnel.lastHeartbeat(before.lastHeartbeat());
        }
        LOG.info("Tunnel of {} open from {}{}", LogText.of(tunnel.deviceId()), LogText.of(tunnel.remoteAddress()),
                older == null ? "" : " (replaces the previous one)");
        peers.opened(tunnel.deviceId(), tunnel.connectedSince(), tunnel.lastHeartbeat(), tunnel.remoteAddress());
    }

    /**
     * @param listener told the device id each time a device's tunnel opens, after the cloud's hello; it must not
     *        block (it runs on the tunnel's thread)
     */
    public void onOpen(java.util.function.Consumer<String> listener) {
        openListeners.add(listener);
    }

    void opened(DeviceTunnel tunnel) {
        if (open.get(tunnel.deviceId()) != tunnel) {
            return;
        }
        for (java.util.function.Consumer<String> l : openListeners) {
            try {
                l.accept(tunnel.deviceId());
            } catch (RuntimeException e) {
                LOG.error("A tunnel listener failed for {}: {}", LogText.of(tunnel.deviceId()), LogText.of(e), e);
            }
        }
    }

    void detach(DeviceTunnel tunnel, int code, String reason) {
        if (open.remove(tunnel.deviceId(), tunnel)) {
            Instant at = now();
            closed.put(tunnel.deviceId(), new Presence(false, null, tunnel.lastHeartbeat(), at, null));
            peers.closed(tunnel.deviceId(), at, tunnel.lastHeartbeat());
            LOG.info("Tunnel of {} closed ({} {})", LogText.of(tunnel.deviceId()), code,
                    reason == null ? "" : LogText.of(reason));
        }
    }

    /**
     * @param deviceId a device
     * @return whether its tunnel is up (here, or on another node of the cloud), and since when;
     *         {@link Presence#NEVER_SEEN} if it did not connect since the cloud started
     */
    public Presence presence(String deviceId) {
        DeviceTunnel t = open.get(deviceId);
        if (t != null) {
            return new Presence(true, t.connectedSince(), t.lastHeartbeat(), null, t.remoteAddress(),
                    peers.nodeId());
        }
        return peers.presence(deviceId).orElseGet(() -> closed.getOrDefault(deviceId, Presence.NEVER_SEEN));
    }

    /** @return the last heartbeat of every tunnel open on this node that had one */
    public Map<String, Instant> heartbeats() {
        Map<String, Instant> beats = new java.util.HashMap<>();
        open.forEach((id, t) -> {
            Instant last = t.lastHeartbeat();
            if (last != null) {
                beats.put(id, last);
            }
        });
        return beats;
    }

    /** @return the number of open tunnels */
    public int openTunnels() {
        return open.size();
    }

    /**
     * Sends a request to a device's local API through its tunnel.
     *
     * @param deviceId the device
     * @param request the request
     * @return completes with the device's answer, or exceptionally with a {@link TunnelException}: 502
     *         {@code device_offline} without a tunnel, 504 {@code device_timeout} without an answer in
     *         time, 502 {@code device_disconnected} if the tunnel closed meanwhile, or what the device
     *         reported
     */
    public CompletableFuture<LocalResponse> forward(String deviceId, LocalRequest request) {
        if (!open.containsKey(deviceId)) {
            CompletableFuture<LocalResponse> elsewhere = peers.forward(deviceId, request);
            if (elsewhere != null) {
                return elsewhere;
            }
        }
        return forwardHere(deviceId, request);
    }

    /**
     * Sends a request through a device's tunnel on this node only (a request another node carried here).
     *
     * @param deviceId the device
     * @param request the request
     * @return as {@link #forward}
     */
    public CompletableFuture<LocalResponse> forwardHere(String deviceId, LocalRequest request) {
        DeviceTunnel t = open.get(deviceId);
        if (t == null) {
            return CompletableFuture.failedFuture(new TunnelException(502, "device_offline",
                    "Device " + deviceId + " is offline: it has no open tunnel to this cloud."));
        }
        return t.forward(request);
    }

    /**
     * Closes the tunnel of a device an operator revoked (close code 4401), and any tunnel it opened with a
     * key checked just before the revocation.
     *
     * @param deviceId the device
     */
    public void revoke(String deviceId) {
        revokeHere(deviceId);
        peers.revoked(deviceId);
    }

    /**
     * As {@link #revoke}, on this node only: another node of the cloud revoked the device.
     *
     * @param deviceId the device
     */
    public void revokeHere(String deviceId) {
        revoked.add(deviceId);
        disconnect(deviceId, TunnelProtocol.CLOSE_CREDENTIALS, REVOKED);
    }

    /**
     * Closes a device's tunnel, if it has one.
     *
     * @param deviceId the device
     * @param code the WebSocket close code
     * @param reason the close reason the device sees
     * @return true if a tunnel was open
     */
    public boolean disconnect(String deviceId, int code, String reason) {
        DeviceTunnel t = open.get(deviceId);
        if (t == null) {
            return false;
        }
        t.close(code, reason);
        return true;
    }
}
