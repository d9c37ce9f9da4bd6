package io.edgeflow.tunnel.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the tunnel ({@code io.edgeflow.tunnel}). A change reconnects the tunnel with the new
 * values. Property names carry their unit ({@code heartbeat_interval_seconds}).
 */
// id = the PID: Eclipse Kura reads a PID's metatype only from OSGI-INF/metatype/<pid>.xml, OCD id = PID (docs/kura.md)
@ObjectClassDefinition(id = TunnelComponent.PID, name = "EdgeFlow tunnel",
        description = "The WebSocket tunnel that keeps this gateway connected to the EdgeFlow cloud and lets the "
                + "cloud reach the local API. It runs while SaaS is enabled and the device is provisioned. A value out "
                + "of its range is refused: the tunnel keeps that property's last good value (its default when it "
                + "starts) and GET /api/v1/saas/status shows the error invalid_configuration.")
@interface TunnelConfiguration {
    @AttributeDefinition(name = "Heartbeat interval (s)",
            description = "Seconds between heartbeats; the cloud answers each. A connection whose heartbeat is not "
                    + "answered before the next one is due is treated as dead and replaced, so a half-open "
                    + "connection is found within two intervals. 1 to 3600. Environment variable "
                    + "EDGEFLOW_TUNNEL_HEARTBEAT_SECONDS.", min = "1", max = "3600")
    int heartbeat__interval__seconds() default 30;

    @AttributeDefinition(name = "Reconnect backoff base (ms)",
            description = "First reconnection delay ceiling, in milliseconds. The n-th attempt in a row waits a "
                    + "random time from 0 to base x 2^n (full jitter), at most the cap. 1 to 600000.",
            min = "1", max = "600000")
    int backoff__base__ms() default 1000;

    @AttributeDefinition(name = "Reconnect backoff cap (s)",
            description = "Longest wait between reconnection attempts, in seconds. 1 to 86400. Environment variable "
                    + "EDGEFLOW_TUNNEL_BACKOFF_CAP_SECONDS.", min = "1", max = "86400")
    int backoff__cap__seconds() default 300;

    @AttributeDefinition(name = "Retry after a rejected key (s)",
            description = "When the cloud refuses the device's key (401/403, status error credentials_rejected), "
                    + "how long to wait before trying again, in seconds (a random time between half this and "
                    + "this). Provisioning new credentials reconnects at once. 10 to 86400.",
            min = "10", max = "86400")
    int rejected__retry__seconds() default 600;

    @AttributeDefinition(name = "Connect timeout (s)",
            description = "How long opening the connection (TCP, proxy, TLS, WebSocket handshake) may take, in "
                    + "seconds. 1 to 300.", min = "1", max = "300")
    int connect__timeout__seconds() default 15;

    @AttributeDefinition(name = "Request timeout (s)",
            description = "How long a request from the cloud may take on the local API, in seconds; the cloud may "
                    + "ask for less. 1 to 600. Environment variable EDGEFLOW_TUNNEL_REQUEST_TIMEOUT_SECONDS.",
            min = "1", max = "600")
    int request__timeout__seconds() default 30;

    @AttributeDefinition(name = "Body limit (bytes)",
            description = "Largest request or response body carried through the tunnel, in bytes. 1024 to "
                    + "16777216. Environment variable EDGEFLOW_TUNNEL_MAX_BODY_BYTES.",
            min = "1024", max = "16777216")
    int max__body__bytes() default 1024 * 1024;

    @AttributeDefinition(name = "Concurrent requests",
            description = "Requests from the cloud carried out on the local API at the same time; up to 32 more "
                    + "wait, further ones are answered 'busy'. 1 to 64.", min = "1", max = "64")
    int max__concurrent__requests() default 4;
}
