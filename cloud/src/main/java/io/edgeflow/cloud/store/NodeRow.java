package io.edgeflow.cloud.store;

/**
 * A node of the cloud (table {@code cloud_nodes}).
 *
 * @param nodeId its id
 * @param url where the other nodes reach it
 * @param heartbeatAt its last heartbeat (ms since the epoch)
 */
public record NodeRow(String nodeId, String url, long heartbeatAt) {
}
