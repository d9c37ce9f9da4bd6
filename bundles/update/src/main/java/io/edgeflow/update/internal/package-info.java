/**
 * The update bundle's implementation: deployments from the cloud (docs/updates-device.md), their verification
 * (SHA-256, Ed25519 signatures by trusted publisher keys), application, health check and rollback, journaled in the
 * data directory. Private: the bundle exports nothing.
 */
package io.edgeflow.update.internal;
