package io.edgeflow.endpoint.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.edgeflow.api.cloud.CloudLinkProblem;
import io.edgeflow.api.status.StatusError;

/**
 * The link's settings read once and checked: the {@link EndpointSettings} to connect with, or the
 * {@link #problem()} that keeps them from working (a stable code and a message naming the setting).
 *
 * @param enabled whether SaaS is on
 * @param endpoint how to connect, or null when {@code problem} says why not
 * @param problem what keeps the settings from working, or null
 */
public record LinkSettings(boolean enabled, EndpointSettings endpoint, StatusError problem) {

    /**
     * @param config the configuration
     * @param environment the process environment, for {@code https_proxy} and {@code no_proxy}
     * @return the checked settings
     */
    public static LinkSettings of(LinkConfiguration config, Map<String, String> environment) {
        String url = config.url() == null ? "" : config.url().strip();
        int seconds = config.connect__timeout__seconds();
        // out of its range, the default applies; provisioning, which owns the metatype, reports the refusal
        Duration connectTimeout = Duration.ofSeconds(seconds >= 1 && seconds <= 300 ? seconds : 10);
        CloudAddress address;
        try {
            address = CloudAddress.parse(url);
        } catch (IllegalArgumentException e) {
            return new LinkSettings(config.enabled(), null, new StatusError(CloudLinkProblem.URL_INVALID,
                    "The cloud URL cannot be used: " + e.getMessage() + " (setting url, EDGEFLOW_SAAS_URL)."));
        }
        Path caFile = null;
        List<X509Certificate> cas = List.of();
        String ca = config.ca__file() == null || config.ca__file().isBlank() ? null : config.ca__file().strip();
        if (ca != null) {
            try {
                caFile = Path.of(ca);
            } catch (InvalidPathException e) {
                return problem(config, CloudLinkProblem.CA_FILE_INVALID, "The CA file '" + ca
                        + "' is not a valid path.");
            }
            if (!caFile.isAbsolute()) {
                return problem(config, CloudLinkProblem.CA_FILE_INVALID, "The CA file '" + ca + "' must be an "
                        + "absolute path (setting ca_file, EDGEFLOW_SAAS_CA_FILE).");
            }
            try {
                cas = CloudTrust.readCaFile(caFile);
            } catch (IllegalArgumentException e) {
                return problem(config, CloudLinkProblem.CA_FILE_INVALID, capitalise(e.getMessage())
                        + " (setting ca_file, EDGEFLOW_SAAS_CA_FILE).");
            }
        }
        ProxySettings proxy;
        try {
            proxy = ProxySettings.resolve(config.proxy(), config._proxy__password(), environment, address.host());
        } catch (IllegalArgumentException e) {
            return problem(config, CloudLinkProblem.PROXY_INVALID, "Cannot use the proxy: " + e.getMessage() + ".");
        }
        return new LinkSettings(config.enabled(), new EndpointSettings(address, caFile, cas, proxy, connectTimeout),
                null);
    }

    private static LinkSettings problem(LinkConfiguration config, String code, String message) {
        return new LinkSettings(config.enabled(), null, new StatusError(code, message));
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
