package io.edgeflow.tunnel.internal;

import static io.edgeflow.tunnel.internal.TunnelClient.CLOUD_UNREACHABLE;
import static io.edgeflow.tunnel.internal.TunnelClient.CONNECT_TIMEOUT;
import static io.edgeflow.tunnel.internal.TunnelClient.CREDENTIALS_REJECTED;
import static io.edgeflow.tunnel.internal.TunnelClient.HANDSHAKE_REFUSED;
import static io.edgeflow.tunnel.internal.TunnelClient.PROTOCOL_UNSUPPORTED;
import static io.edgeflow.tunnel.internal.TunnelClient.PROXY_ERROR;
import static io.edgeflow.tunnel.internal.TunnelClient.TLS_ERROR;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

import javax.net.ssl.SSLException;

import io.edgeflow.api.cloud.ProxyRefusal;

/**
 * Why a tunnel could not be opened, in the words of the status API: the error code, a message a person can
 * act on, and how it is retried. A value, computed from the JDK's exception.
 *
 * @param code the error code of {@code TunnelState#error()}
 * @param message what happened, naming the cloud
 * @param retry how it is retried
 */
record OpeningFailure(String code, String message, Retry retry) {
    private static final java.util.regex.Pattern TUNNEL_FAILED = java.util.regex.Pattern.compile(
            "Tunnel failed, got: (\\d{3})");

    /**
     * @param cause what the JDK's WebSocket client failed with (unwrapped)
     * @param where the cloud, for the message
     * @param connectTimeout the connect timeout, for the message
     * @return the failure
     */
    static OpeningFailure of(Throwable cause, String where, Duration connectTimeout) {
        int proxyStatus = proxyRefusal(cause);
        if (proxyStatus != 0) {
            return new OpeningFailure(PROXY_ERROR, "The proxy refused the tunnel to " + where + ": "
                    + ProxyRefusal.describe(proxyStatus), Retry.BACKOFF);
        } else if (cause instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            if (status == 401 || status == 403) {
                return new OpeningFailure(CREDENTIALS_REJECTED, "The cloud at " + where + " rejected the device's "
                        + "key (HTTP " + status + "). Provision the device again.", Retry.REJECTED);
            } else if (h.getResponse().headers().firstValue(Protocol.PROTOCOLS_HEADER).isPresent()) {
                return new OpeningFailure(PROTOCOL_UNSUPPORTED, "The cloud at " + where
                        + " speaks the tunnel protocols "
                        + h.getResponse().headers().firstValue(Protocol.PROTOCOLS_HEADER).get() + ", not "
                        + Protocol.V1 + ".", Retry.SLOW);
            } else {
                return new OpeningFailure(HANDSHAKE_REFUSED, "The cloud at " + where + " answered HTTP "
                        + status + " to the tunnel handshake.", Retry.BACKOFF);
            }
        } else if (cause instanceof HttpConnectTimeoutException || cause instanceof HttpTimeoutException) {
            return new OpeningFailure(CONNECT_TIMEOUT, "Connecting to " + where + " timed out after "
                    + TunnelClient.seconds(connectTimeout) + ".", Retry.BACKOFF);
        } else if (cause instanceof SSLException) {
            return new OpeningFailure(TLS_ERROR, "TLS with " + where + " failed: " + cause.getMessage(),
                    Retry.BACKOFF);
        } else if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException) {
            return new OpeningFailure(CLOUD_UNREACHABLE, "Cannot connect to " + where + ": "
                    + TunnelConnection.describe(cause), Retry.BACKOFF);
        } else {
            return new OpeningFailure(CLOUD_UNREACHABLE, "The tunnel to " + where + " could not be opened: "
                    + TunnelConnection.describe(cause), Retry.BACKOFF);
        }
    }

    /**
     * The status with which a proxy refused the CONNECT, or 0. The JDK hands a 407 over as the handshake's
     * answer and fails any other refusal with "Tunnel failed, got: N" (a 401 among them, which some proxies
     * answer to wrong credentials: that one must not be taken for the cloud refusing the device's key).
     */
    private static int proxyRefusal(Throwable cause) {
        if (cause instanceof WebSocketHandshakeException h) {
            return h.getResponse().statusCode() == 407 ? 407 : 0;
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            java.util.regex.Matcher m = TUNNEL_FAILED.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
    }
}
