/**
 * Several cloud nodes on one database: each node's heartbeat and the devices' tunnel presence in the store,
 * admin calls for a device tunnelled to another node carried there over HTTPS (authenticated with the nodes'
 * shared secret), revocations told to every node.
 */
package io.edgeflow.cloud.nodes;
