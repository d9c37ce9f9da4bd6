/**
 * The device tunnel ({@code wss://<cloud>/api/v1/tunnel}, protocol {@code edgeflow.tunnel.v1}, see
 * {@code docs/protocol.md}): one WebSocket per device, heartbeats, presence, and requests forwarded
 * to the device's local API.
 */
package io.edgeflow.cloud.tunnel;
