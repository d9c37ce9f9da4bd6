/**
 * Remote bundle updates, the cloud's side (docs/updates.md): artifacts stored by SHA-256 with their publishers'
 * Ed25519 signatures, the cloud's release key, and deployments rolled out in waves through the device tunnels.
 */
package io.edgeflow.cloud.updates;
