package io.edgeflow.api.cloud;

import java.net.URI;
import java.net.http.HttpClient;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The configured EdgeFlow cloud. Registered only while SaaS is enabled and its address is valid; it is
 * replaced (unregistered, registered anew) when the address, the trust or the proxy settings change,
 * so a component that holds a static reference is reactivated with the new settings.
 * <p>
 * Every connection made through {@link #httpClient()} verifies the server's certificate and host name
 * against the JDK's trust plus the configured CA file; there is no way to switch that off. HTTP(S)
 * proxies are applied as configured.
 */
@ProviderType
public interface CloudEndpoint {
    /**
     * @return the cloud's base URI, always {@code https}, for example {@code https://saas.edgx.cloud:443}
     */
    URI baseUri();

    /**
     * @param path an absolute path such as {@code /api/v1/tunnel}
     * @return the {@code wss} URI of that path on the cloud
     */
    URI webSocketUri(String path);

    /**
     * @return the address as the operator wrote it, for status and messages
     */
    String displayUrl();

    /**
     * An HTTP client with the agent's TLS trust and proxy rules. Shared: callers never close or shut it
     * down; it stays usable until this service is unregistered.
     *
     * @return the client
     */
    HttpClient httpClient();

    /**
     * Why the proxy last refused to tunnel to the cloud (its status line, or why it could not be reached), for
     * an endpoint that relays through an authenticating proxy, where the HTTP client sees only a broken
     * connection; otherwise null.
     *
     * @return the proxy's last refusal, or null
     * @since 1.1
     */
    default String proxyFailure() {
        return null;
    }
}
