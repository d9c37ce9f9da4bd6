package io.edgeflow.config.encryption.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

/**
 * Which configuration properties are secrets, and how the secrets of EdgeFlow versions before private
 * property names are moved to their private names.
 * <p>
 * A secret is a private property (its name begins with {@code .}: Declarative Services never copies it onto a
 * service) or one of the public names older versions used for EdgeFlow's secrets. The {@code proxy} address of
 * the cloud link may carry a password ({@code http://user:password@host:port}); it is split off into
 * {@code .proxy_password}.
 */
final class SecretProperties {
    /** The PID of the link to the cloud. */
    static final String SAAS_PID = "io.edgeflow.saas";
    /** The PID of the local API. */
    static final String LOCAL_API_PID = "io.edgeflow.localapi";
    /** The private name of the proxy password. */
    static final String PROXY_PASSWORD = ".proxy_password";

    /** Public names of secrets before version 0.1 of issue 10, by PID: old name to private name. */
    static final Map<String, Map<String, String>> RENAMED = Map.of(
            LOCAL_API_PID, Map.of("api_token", ".api_token"),
            SAAS_PID, Map.of("provisioning_code", ".provisioning_code", "api_key", ".api_key", "proxy_password",
                    PROXY_PASSWORD));

    private static final List<String> OLD_NAMES = RENAMED.values().stream().flatMap(m -> m.keySet().stream())
            .toList();

    private SecretProperties() {
    }

    /**
     * @param property a property name
     * @return true if its value is kept encrypted at rest
     */
    static boolean isSecret(String property) {
        return property.startsWith(".") || OLD_NAMES.contains(property);
    }

    /**
     * Moves the secrets of an older configuration to their private names, in place: an old public name is
     * renamed (or dropped when the private name is set already), and a password in the cloud link's proxy
     * address moves to {@code .proxy_password}.
     *
     * @param pid the configuration's PID
     * @param properties its properties, changed in place
     * @return true if anything changed
     */
    static boolean migrate(String pid, Dictionary<String, Object> properties) {
        boolean changed = false;
        Map<String, String> renamed = RENAMED.get(pid);
        if (renamed != null) {
            for (Map.Entry<String, String> entry : renamed.entrySet()) {
                Object old = properties.remove(entry.getKey());
                if (old != null) {
                    changed = true;
                    if (properties.get(entry.getValue()) == null) {
                        properties.put(entry.getValue(), old);
                    }
                }
            }
        }
        if (SAAS_PID.equals(pid) && properties.get("proxy") instanceof String proxy) {
            String[] split = splitPassword(proxy);
            if (split != null) {
                properties.put("proxy", split[0]);
                if (properties.get(PROXY_PASSWORD) == null && !split[1].isEmpty()) {
                    properties.put(PROXY_PASSWORD, split[1]);
                }
                changed = true;
            }
        }
        return changed;
    }

    /**
     * @param proxy a proxy address
     * @return the address without its password and the password (decoded), or null if it holds no password
     */
    static String[] splitPassword(String proxy) {
        String text = proxy.strip();
        boolean schemeGiven = text.contains("://");
        URI uri;
        try {
            uri = new URI(schemeGiven ? text : "http://" + text);
        } catch (URISyntaxException e) {
            return null;
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null || userInfo.indexOf(':') < 0) {
            return null;
        }
        int colon = userInfo.indexOf(':');
        String password = URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
        String withoutPassword = text.replace(userInfo + "@", userInfo.substring(0, colon) + "@");
        return new String[] {withoutPassword, password};
    }
}
