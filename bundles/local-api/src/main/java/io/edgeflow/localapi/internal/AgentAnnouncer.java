package io.edgeflow.localapi.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DataDirectory;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.http.runtime.HttpServiceRuntime;
import org.osgi.service.http.runtime.HttpServiceRuntimeConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator, in one log line, where the local API listens and which data directory the agent
 * uses: once when the HTTP server comes up, and again whenever it re-binds to another address.
 */
@Component(service = {}, immediate = true, configurationPid = "io.edgeflow.agent",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class AgentAnnouncer {
    private static final Logger LOG = LoggerFactory.getLogger(AgentAnnouncer.class);

    /** Framework property the launcher sets to the data directory it chose (as the vault reads it). */
    static final String DATA_DIR_PROPERTY = "edgeflow.data.dir";
    /** Where the agent keeps its data when nothing else says: the documented default of {@code data_dir}. */
    static final String DEFAULT_DATA_DIR = DataDirectory.DEFAULT_PATH;

    /**
     * The one property of the agent-wide configuration ({@code io.edgeflow.agent}, whose metatype the config bundle
     * designates) this component reads, without a default of its own: see {@link #dataDir}.
     */
    @interface AgentSettings {
        String data__dir() default "";
    }

    private final String launcherDataDir;
    private volatile String dataDir;
    private volatile String lastAnnounced;
    private volatile Map<String, Object> runtimeProperties;
    private volatile boolean vaultSeen;

    /**
     * @param settings the agent configuration
     * @param context for the data directory the launcher chose
     */
    @Activate
    public AgentAnnouncer(AgentSettings settings, BundleContext context) {
        this.launcherDataDir = context.getProperty(DATA_DIR_PROPERTY);
        this.dataDir = dataDir(settings.data__dir(), launcherDataDir);
    }

    @Modified
    void modified(AgentSettings settings) {
        this.dataDir = dataDir(settings.data__dir(), launcherDataDir);
    }

    /**
     * The data directory as the credential vault resolves it: {@code data_dir} if set, else the launcher's choice,
     * else the default.
     */
    static String dataDir(String configured, String launcher) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        return launcher != null && !launcher.isBlank() ? launcher.strip() : DEFAULT_DATA_DIR;
    }

    /** @return the data directory this component announces */
    String dataDir() {
        return dataDir;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        runtimeProperties = properties;
        announce();
    }

    void updatedRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        runtimeProperties = properties;
        announce();
    }

    /**
     * The vault: without it the status is {@code vault_io_error}, so "ready" waits for it (on a fast start the HTTP
     * server came up a tenth of a second before the vault, and a status asked on "ready" was an error). Optional and
     * dynamic: an update of the vault later changes nothing here.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindVault(CredentialVault vault) {
        vaultSeen = true;
        announce();
    }

    void unbindVault(CredentialVault vault) {
        // once seen, the agent was ready; a vault being updated is shown by the status, not by this line
    }

    /** @return the address last announced as ready, or null */
    String lastAnnounced() {
        return lastAnnounced;
    }

    void unbindRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        // nothing to release; the next bind announces the new address
    }

    @Deactivate
    void deactivate() {
        LOG.info("EdgeFlow agent stopping");
    }

    private void announce() {
        Map<String, Object> properties = runtimeProperties;
        if (properties == null || !vaultSeen) {
            return;
        }
        List<String> endpoints = endpoints(properties.get(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT));
        if (endpoints.isEmpty()) {
            return;
        }
        String where = endpoints.stream().map(AgentAnnouncer::apiUrl).collect(Collectors.joining(", "));
        synchronized (this) {
            if (where.equals(lastAnnounced)) {
                return;
            }
            lastAnnounced = where;
        }
        LOG.info("EdgeFlow agent ready: local API at {} (data directory {})", where, dataDir);
    }

    static List<String> endpoints(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof String[] array) {
            return Arrays.asList(array);
        }
        if (value instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    static String apiUrl(String endpoint) {
        String base = endpoint.endsWith("/") ? endpoint : endpoint + "/";
        return base + "api/v1/";
    }
}
