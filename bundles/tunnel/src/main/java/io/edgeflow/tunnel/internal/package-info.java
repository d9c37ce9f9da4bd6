/**
 * The tunnel bundle's implementation: the WebSocket to the cloud ({@code edgeflow.tunnel.v1}, see
 * {@code docs/protocol.md}), its heartbeats and reconnection, and the requests it carries out on the
 * local API. Private: the bundle exports nothing and provides {@link io.edgeflow.api.tunnel.TunnelService}.
 */
package io.edgeflow.tunnel.internal;
