package io.edgeflow.endpoint.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The cloud's address as the operator wrote it ({@code saas.edgx.cloud:443}, {@code https://host:port},
 * {@code [::1]:8443}), checked and turned into the {@code https} base URI every request starts from.
 * Only HTTPS is accepted: {@code http://} is refused with a message that says what to write instead.
 *
 * @param display the address as written (trimmed), for status and messages
 * @param host the host name or IP literal (IPv6 without brackets)
 * @param port the TCP port
 */
public record CloudAddress(String display, String host, int port) {
    static final int DEFAULT_PORT = 443;

    /**
     * @param text the configured address
     * @return the address
     * @throws IllegalArgumentException with a message naming the problem
     */
    public static CloudAddress parse(String text) {
        String value = text == null ? "" : text.strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the cloud URL is empty; write host:port, for example "
                    + "saas.edgx.cloud:443");
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("ws://")) {
            String scheme = lower.substring(0, lower.indexOf(':'));
            String rest = value.substring(lower.indexOf("//") + 2);
            throw new IllegalArgumentException("'" + value + "' uses plain " + scheme
                    + "; the cloud is reached over HTTPS only: write https://" + rest + " or host:port");
        }
        String withScheme;
        if (lower.startsWith("https://")) {
            withScheme = value;
        } else if (lower.contains("://")) {
            throw new IllegalArgumentException("'" + value + "' has the scheme "
                    + value.substring(0, lower.indexOf("://")) + "; write host:port or https://host:port");
        } else {
            withScheme = "https://" + value;
        }
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a valid address (" + e.getReason()
                    + "); write host:port or https://host:port");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + value + "' holds user information; write host:port");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("'" + value + "' has a path; write only host:port or "
                    + "https://host:port");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + value + "' has no valid host name; write host:port, for "
                    + "example saas.edgx.cloud:443");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort();
        if (port == -1) {
            if (uri.getRawAuthority() != null && uri.getRawAuthority().endsWith(":")) {
                throw new IllegalArgumentException("'" + value + "' has an empty port");
            }
            port = DEFAULT_PORT;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + value + "' has a port outside 1-65535");
        }
        return new CloudAddress(value, host, port);
    }

    /** @return {@code https://host:port}, IPv6 in brackets */
    URI baseUri() {
        return URI.create("https://" + authority());
    }

    /**
     * @param path an absolute path such as {@code /api/v1/tunnel}
     * @return {@code wss://host:port/path}
     */
    URI webSocketUri(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("the path must start with '/': " + path);
        }
        return URI.create("wss://" + authority() + path);
    }

    /** @return {@code host:port}, IPv6 in brackets */
    String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
