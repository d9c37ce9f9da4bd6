package io.edgeflow.cloud.tunnel;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The other nodes of a cloud run as several nodes on one database: {@link TunnelHub} tells them about the
 * tunnels it holds and asks them for the devices it does not hold. A single node has none ({@link #NONE}): its
 * presence stays in memory, as it always did. Implementations never throw: a failure is logged, and the tunnel
 * that caused the call carries on.
 */
public interface Peers {
    /** A node alone: nothing shared, every device without a tunnel here is offline. */
    Peers NONE = new Peers() {
        @Override
        public void opened(String deviceId, Instant connectedSince, Instant lastHeartbeat, String remoteAddress) {
        }

        @Override
        public void closed(String deviceId, Instant at, Instant lastHeartbeat) {
        }

        @Override
        public Optional<Presence> presence(String deviceId) {
            return Optional.empty();
        }

        @Override
        public CompletableFuture<LocalResponse> forward(String deviceId, LocalRequest request) {
            return null;
        }

        @Override
        public void revoked(String deviceId) {
        }

        @Override
        public String nodeId() {
            return null;
        }
    };

    /** @return this node's id, or null for a cloud of one node */
    String nodeId();

    /**
     * A device's tunnel opened on this node.
     *
     * @param deviceId the device
     * @param connectedSince when
     * @param lastHeartbeat its last heartbeat known here, or null
     * @param remoteAddress where it comes from
     */
    void opened(String deviceId, Instant connectedSince, Instant lastHeartbeat, String remoteAddress);

    /**
     * A device's tunnel on this node closed.
     *
     * @param deviceId the device
     * @param at when
     * @param lastHeartbeat its last heartbeat, or null
     */
    void closed(String deviceId, Instant at, Instant lastHeartbeat);

    /**
     * @param deviceId a device without a tunnel on this node
     * @return its presence as the nodes share it; empty where nothing is shared
     */
    Optional<Presence> presence(String deviceId);

    /**
     * Carries a request to the node that holds a device's tunnel.
     *
     * @param deviceId a device without a tunnel on this node
     * @param request the request
     * @return the device's answer (or the failure, a {@link TunnelException}); null where nothing is shared
     */
    CompletableFuture<LocalResponse> forward(String deviceId, LocalRequest request);

    /**
     * Tells the other nodes that an operator revoked a device (they close its tunnel); returns at once.
     *
     * @param deviceId the device
     */
    void revoked(String deviceId);
}
