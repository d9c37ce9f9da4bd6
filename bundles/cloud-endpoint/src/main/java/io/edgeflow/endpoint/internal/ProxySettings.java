package io.edgeflow.endpoint.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The HTTP proxy the cloud is reached through, if any: from the {@code proxy} setting, else from the
 * {@code https_proxy}/{@code HTTPS_PROXY} environment variables as curl reads them (with
 * {@code no_proxy}/{@code NO_PROXY}). Connections to the cloud go through the proxy with CONNECT; the
 * optional user and password are sent as Basic proxy authentication.
 * <p>
 * The password is a secret: {@link #toString()} and {@link #describe()} never show it.
 */
public final class ProxySettings {
    /** The value of the {@code proxy} setting that turns the environment's proxy off. */
    static final String DIRECT = "direct";

    private final String host;
    private final int port;
    private final String user;
    private final char[] password;
    private final String source;

    private ProxySettings(String host, int port, String user, char[] password, String source) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.source = source;
    }

    /**
     * Decides the proxy for one cloud host.
     *
     * @param setting the {@code proxy} setting: empty for the environment, {@value #DIRECT} for none, else a URL
     * @param settingPassword the {@code proxy_password} setting, may be empty
     * @param environment the process environment
     * @param cloudHost the cloud's host, checked against {@code no_proxy}
     * @return the proxy, or null to connect directly
     * @throws IllegalArgumentException with a message that never shows a password
     */
    static ProxySettings resolve(String setting, String settingPassword, Map<String, String> environment,
            String cloudHost) {
        String value = setting == null ? "" : setting.strip();
        char[] password = settingPassword == null || settingPassword.isEmpty() ? null : settingPassword.toCharArray();
        if (value.equalsIgnoreCase(DIRECT) || value.equalsIgnoreCase("none")) {
            return null;
        }
        if (!value.isEmpty()) {
            return parse(value, password, "the proxy setting");
        }
        String name = firstSet(environment, "https_proxy", "HTTPS_PROXY");
        if (name == null) {
            return null;
        }
        String noProxy = firstSet(environment, "no_proxy", "NO_PROXY");
        if (noProxy != null && bypasses(environment.get(noProxy), cloudHost)) {
            return null;
        }
        return parse(environment.get(name).strip(), password, "the environment variable " + name);
    }

    private static String firstSet(Map<String, String> environment, String... names) {
        for (String name : names) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return name;
            }
        }
        return null;
    }

    /** curl's rules: a comma-separated list of host names, domain suffixes (with or without a dot), or '*'. */
    static boolean bypasses(String noProxy, String host) {
        if (noProxy == null || noProxy.isBlank()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy.split("[,\\s]+")) {
            String e = entry.strip().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("*")) {
                return true;
            }
            if (e.startsWith("[") && e.endsWith("]")) {
                e = e.substring(1, e.length() - 1);
            }
            if (e.startsWith(".")) {
                e = e.substring(1);
            }
            if (h.equals(e) || h.endsWith("." + e)) {
                return true;
            }
        }
        return false;
    }

    public static ProxySettings parse(String value, char[] password, String source) {
        String text = value.contains("://") ? value : "http://" + value;
        String scheme = text.substring(0, text.indexOf("://")).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException(source + " has the scheme " + scheme + "; only an HTTP proxy "
                    + "(http://host:port, CONNECT) is supported");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(source + " is not a valid proxy address; write http://host:port");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException(source + " has no valid host; write http://host:port");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String user = null;
        char[] pass = password;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
            if (colon >= 0 && pass == null) {
                pass = URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8).toCharArray();
            }
        }
        if (user == null && pass != null) {
            throw new IllegalArgumentException("a proxy password is set but " + source + " names no user; write "
                    + "http://user@host:port");
        }
        return new ProxySettings(host, port, user, pass, source);
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** @return true if the proxy wants Basic authentication */
    boolean authenticates() {
        return user != null;
    }

    /** @return the value of a {@code Proxy-Authorization} header; a secret */
    String basicAuthorization() {
        byte[] raw = (user + ":" + new String(password == null ? new char[0] : password))
                .getBytes(StandardCharsets.UTF_8);
        try {
            return "Basic " + java.util.Base64.getEncoder().encodeToString(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** @return where the proxy is, for logs: {@code http://user:****@host:port (from ...)} */
    String describe() {
        return "http://" + (user == null ? "" : user + (password == null ? "" : ":****") + "@")
                + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + " (" + source + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxySettings p && p.host.equals(host) && p.port == port && Objects.equals(p.user, user)
                && Arrays.equals(p.password, password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, user);
    }

    @Override
    public String toString() {
        return describe();
    }
}
