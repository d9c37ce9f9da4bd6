/**
 * The names and formats the agent and the reference cloud share (docs/protocol.md is the specification):
 * provisioning codes ({@link io.edgeflow.protocol.CodeFormat}) and the device tunnel
 * ({@link io.edgeflow.protocol.TunnelProtocol}). A build-time library: bundles embed a private copy (bnd
 * {@code -conditionalpackage}); it is never deployed or exported.
 */
package io.edgeflow.protocol;
