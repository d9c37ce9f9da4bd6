package io.edgeflow.cloud.store;

/**
 * A device's tunnel presence as the nodes of a cloud share it (table {@code device_presence}).
 *
 * @param deviceId the device
 * @param nodeId the node holding its open tunnel, or null when it has none
 * @param nodeUrl that node's address for other nodes, or null
 * @param connectedAt when the open tunnel was established (ms since the epoch), or null when offline
 * @param lastHeartbeatAt the last heartbeat the nodes recorded, or null
 * @param disconnectedAt when the last tunnel closed (or its node was found dead), or null
 * @param remoteAddress where the open tunnel comes from, or null
 */
public record PresenceRow(String deviceId, String nodeId, String nodeUrl, Long connectedAt, Long lastHeartbeatAt,
        Long disconnectedAt, String remoteAddress) {
}
