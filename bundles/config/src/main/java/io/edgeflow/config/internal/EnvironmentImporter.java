package io.edgeflow.config.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import io.edgeflow.envfile.EnvFile;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports {@code EDGEFLOW_*} settings from the process environment and the env file into Config Admin
 * each time it is activated (at agent start, or when this bundle is restarted or updated), and puts back
 * an empty configuration when one that must exist is deleted (a console "reset"), so defaults apply.
 */
@Component(service = ConfigurationListener.class, immediate = true)
public final class EnvironmentImporter implements ConfigurationListener {
    /** The env file read when {@code EDGEFLOW_ENV_FILE} is not set. */
    public static final String DEFAULT_ENV_FILE = "/etc/edgeflow/.env";
    /** Framework property naming another env file, for embedding and tests. */
    public static final String ENV_FILE_PROPERTY = "edgeflow.env.file";

    /**
     * Framework property of the Felix Web Console naming the security providers it waits for; the standalone
     * agent sets it to {@code edgeflow} (the console bundle's login). Elsewhere (Karaf, Kura) the console, if any,
     * is the platform's own, and the import says nothing about it.
     */
    static final String CONSOLE_PROVIDERS_PROPERTY = "felix.webconsole.security.providers";

    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentImporter.class);
    private static final String STATE_FILE = "imported-fingerprints.properties";
    private static final String KEY_FILE = "fingerprint.key";

    private final AdminStore store;
    private final HttpServer httpServer;

    /**
     * Runs the import.
     *
     * @param configAdmin where the settings go
     * @param context this bundle's context, for the env file property and the state file
     */
    @Activate
    public EnvironmentImporter(@Reference ConfigurationAdmin configAdmin, BundleContext context) {
        this.store = new AdminStore(configAdmin);
        this.httpServer = HttpServer.detect(java.util.Arrays.stream(context.getBundles())
                .filter(b -> b.getState() != org.osgi.framework.Bundle.UNINSTALLED)
                .map(org.osgi.framework.Bundle::getSymbolicName).filter(java.util.Objects::nonNull).toList());
        LOG.debug("HTTP server: {}; EDGEFLOW_HTTP_* go to {}", httpServer.label(), httpServer.pid());
        Map<String, String> environment = System.getenv();
        Path envFile = envFilePath(environment, context.getProperty(ENV_FILE_PROPERTY));
        EnvFile parsed = EnvFile.read(envFile);
        parsed.warnings().forEach(LOG::warn);

        File stateFile = context.getDataFile(STATE_FILE);
        Map<String, String> previous = readState(stateFile);
        try {
            SettingsImport.Outcome outcome = SettingsImport.apply(store, environment, parsed,
                    envFile.toString(), previous, fingerprints(context.getDataFile(KEY_FILE)), httpServer);
            outcome.warnings().forEach(LOG::warn);
            outcome.applied().forEach(line -> LOG.info("Configuration: {}", line));
            if (!outcome.fingerprints().equals(previous)) {
                writeState(stateFile, outcome.fingerprints());
            }
            if (consolePackaged(context.getProperty(CONSOLE_PROVIDERS_PROPERTY))
                    && !hasConsolePassword(store.read(Setting.CONSOLE_PID))) {
                LOG.info("Web Console off: no console password. Set EDGEFLOW_CONSOLE_PASSWORD (and "
                        + "EDGEFLOW_CONSOLE_USER, default admin) to serve it at /system/console");
            }
        } catch (IOException e) {
            // Config Admin failed: the agent keeps running on what Config Admin already holds.
            LOG.error("Could not import EDGEFLOW_* settings into Config Admin: {}", e.getMessage());
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_DELETED && event.getFactoryPid() == null
                && httpServer.configurationRequired().contains(event.getPid())) {
            try {
                if (!store.exists(event.getPid())) {
                    store.write(event.getPid(), Map.of());
                    LOG.info("Configuration {} was deleted; its defaults apply again", event.getPid());
                }
            } catch (IOException e) {
                LOG.error("Could not restore the configuration {}: {}", event.getPid(), e.getMessage());
            }
        }
    }

    /** This installation's fingerprint key; without one (no storage), a key for this run only. */
    private static Fingerprints fingerprints(File keyFile) {
        SecureRandom random = new SecureRandom();
        if (keyFile != null) {
            try {
                return Fingerprints.load(keyFile.toPath(), random);
            } catch (IOException e) {
                LOG.warn("Could not read or create {} ({}); every EDGEFLOW_* value is imported again at each start",
                        keyFile, e.getMessage());
            }
        }
        byte[] key = new byte[Fingerprints.KEY_SIZE];
        random.nextBytes(key);
        return new Fingerprints(key);
    }

    static boolean consolePackaged(String requiredProviders) {
        return requiredProviders != null
                && java.util.Arrays.stream(requiredProviders.split(",")).anyMatch(p -> p.strip().equals("edgeflow"));
    }

    static boolean hasConsolePassword(Map<String, Object> consoleConfiguration) {
        Object password = consoleConfiguration.get(".password");
        return password instanceof String text && !text.isEmpty();
    }

    static Path envFilePath(Map<String, String> environment, String frameworkProperty) {
        String path = environment.get("EDGEFLOW_ENV_FILE");
        if (path == null || path.isBlank()) {
            path = frameworkProperty;
        }
        if (path == null || path.isBlank()) {
            path = DEFAULT_ENV_FILE;
        }
        return Path.of(path.strip());
    }

    private static Map<String, String> readState(File file) {
        Map<String, String> state = new LinkedHashMap<>();
        if (file == null || !file.isFile()) {
            return state;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file.toPath())) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Could not read {} ({}); every EDGEFLOW_* value is imported again", file, e.getMessage());
            return state;
        }
        properties.stringPropertyNames().forEach(name -> state.put(name, properties.getProperty(name)));
        return state;
    }

    private static void writeState(File file, Map<String, String> fingerprints) {
        if (file == null) {
            return;
        }
        Properties properties = new Properties();
        properties.putAll(fingerprints);
        Path target = file.toPath();
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp);
            if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                properties.store(out, "Fingerprints of the EDGEFLOW_* values imported last (not the values)");
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Could not write {} ({}); the next start imports every EDGEFLOW_* value again", file,
                    e.getMessage());
        }
    }

    /** Config Admin behind the import's seam. Configurations are bound to any bundle ("?"). */
    private static final class AdminStore implements SettingsImport.ConfigStore {
        private final ConfigurationAdmin admin;

        AdminStore(ConfigurationAdmin admin) {
            this.admin = admin;
        }

        /** A named factory configuration ({@code factory~name}, Config Admin 1.6) or a plain one. */
        private Configuration configuration(String pid) throws IOException {
            int tilde = pid.indexOf('~');
            return tilde < 0 ? admin.getConfiguration(pid, "?")
                    : admin.getFactoryConfiguration(pid.substring(0, tilde), pid.substring(tilde + 1), "?");
        }

        @Override
        public Map<String, Object> read(String pid) throws IOException {
            Configuration configuration = configuration(pid);
            Dictionary<String, Object> properties = configuration.getProperties();
            Map<String, Object> copy = new HashMap<>();
            if (properties != null) {
                for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
                    String key = keys.nextElement();
                    copy.put(key, properties.get(key));
                }
            }
            return copy;
        }

        @Override
        public boolean exists(String pid) throws IOException {
            try {
                Configuration[] found = admin.listConfigurations(
                        "(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
                return found != null && found.length > 0;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IOException("bad PID " + pid, e);
            }
        }

        @Override
        public void write(String pid, Map<String, Object> properties) throws IOException {
            Map<String, Object> copy = new HashMap<>(properties);
            copy.remove("service.pid");
            copy.remove("service.factoryPid");
            copy.remove("service.bundleLocation");
            configuration(pid).update(new Hashtable<>(Collections.unmodifiableMap(copy)));
        }
    }
}
