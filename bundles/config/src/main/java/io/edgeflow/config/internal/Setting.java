package io.edgeflow.config.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One agent setting: the {@code EDGEFLOW_*} variable an operator writes, and the Config Admin PID
 * and property it lands in. This table is the one place that maps variables to PIDs; docs/configuration.md
 * documents it. A variable that several components read has one row per PID (EDGEFLOW_SYSROOT feeds
 * both fact collectors, each a bundle of its own with its own PID and metatype), and one that feeds two
 * properties one row per property (EDGEFLOW_HTTPS_PROXY: the address, and its password apart in a private
 * property).
 *
 * @param variable the environment / env-file variable
 * @param pid the Config Admin PID
 * @param property the property in that PID
 * @param type how the text value is converted
 * @param secret true if the value must never be shown, even when it is invalid
 */
public record Setting(String variable, String pid, String property, Type type, boolean secret) {

    /**
     * The PID of the HTTP server of the Felix launcher (Felix HTTP Jetty); its metatype comes from Felix. The HTTP rows
     * below name it; in Karaf or Kura, {@link HttpServer} moves them to that runtime's server.
     */
    public static final String HTTP_PID = "org.apache.felix.http";
    /** Agent-wide settings. */
    public static final String AGENT_PID = "io.edgeflow.agent";
    /** The link to the EdgeFlow cloud; its metatype comes from the provisioning bundle. */
    public static final String SAAS_PID = "io.edgeflow.saas";
    /** The local REST API's own settings (the API token); its metatype comes from the local API bundle. */
    public static final String LOCAL_API_PID = "io.edgeflow.localapi";
    /** The hardware facts; its metatype comes from the hardware facts bundle. */
    public static final String HARDWARE_FACTS_PID = "io.edgeflow.facts.hardware";
    /** The network facts; its metatype comes from the network facts bundle. */
    public static final String NETWORK_FACTS_PID = "io.edgeflow.facts.network";
    /** The file credential vault; its metatype comes from the vault bundle. */
    public static final String VAULT_PID = "io.edgeflow.vault";
    /** The tunnel to the cloud; its metatype comes from the tunnel bundle. */
    public static final String TUNNEL_PID = "io.edgeflow.tunnel";
    /** Remote updates (trusted publisher keys); its metatype comes from the update bundle. */
    public static final String UPDATE_PID = "io.edgeflow.update";
    /** The optional Web Console's login (standalone agent); its metatype comes from the console bundle. */
    public static final String CONSOLE_PID = "io.edgeflow.console";

    /** Every setting the agent imports from the environment and the env file. */
    public static final List<Setting> ALL = List.of(
            new Setting("EDGEFLOW_HTTP_HOST", HTTP_PID, "org.apache.felix.http.host", Type.HOST, false),
            new Setting("EDGEFLOW_HTTP_PORT", HTTP_PID, "org.osgi.service.http.port", Type.PORT, false),
            new Setting("EDGEFLOW_DATA_DIR", AGENT_PID, "data_dir", Type.ABSOLUTE_PATH, false),
            new Setting("EDGEFLOW_SAAS_ENABLED", SAAS_PID, "enabled", Type.BOOLEAN, false),
            new Setting("EDGEFLOW_SAAS_URL", SAAS_PID, "url", Type.STRING, false),
            // secrets have private names (a leading '.'): Declarative Services never copies them onto a service
            new Setting("EDGEFLOW_PROVISIONING_CODE", SAAS_PID, ".provisioning_code", Type.STRING, true),
            new Setting("EDGEFLOW_DEVICE_ID", SAAS_PID, "device_id", Type.STRING, false),
            new Setting("EDGEFLOW_API_KEY", SAAS_PID, ".api_key", Type.STRING, true),
            new Setting("EDGEFLOW_SAAS_CA_FILE", SAAS_PID, "ca_file", Type.ABSOLUTE_PATH, false),
            // may hold the proxy's user and password, as https_proxy does: the password goes to its private property
            new Setting("EDGEFLOW_HTTPS_PROXY", SAAS_PID, "proxy", Type.PROXY_ADDRESS, true),
            new Setting("EDGEFLOW_HTTPS_PROXY", SAAS_PID, ".proxy_password", Type.PROXY_PASSWORD, true),
            new Setting("EDGEFLOW_SAAS_RETRY_MAX_DELAY", SAAS_PID, "retry_max_delay_seconds", Type.POSITIVE_INTEGER,
                    false),
            new Setting("EDGEFLOW_API_TOKEN", LOCAL_API_PID, ".api_token", Type.STRING, true),
            new Setting("EDGEFLOW_SYSROOT", HARDWARE_FACTS_PID, "sysroot", Type.ABSOLUTE_PATH, false),
            new Setting("EDGEFLOW_SYSROOT", NETWORK_FACTS_PID, "sysroot", Type.ABSOLUTE_PATH, false),
            new Setting("EDGEFLOW_VAULT_KEY_FILE", VAULT_PID, "key_file", Type.ABSOLUTE_PATH, false),
            new Setting("EDGEFLOW_TUNNEL_HEARTBEAT_SECONDS", TUNNEL_PID, "heartbeat_interval_seconds",
                    Type.POSITIVE_INTEGER, false),
            new Setting("EDGEFLOW_TUNNEL_BACKOFF_CAP_SECONDS", TUNNEL_PID, "backoff_cap_seconds",
                    Type.POSITIVE_INTEGER, false),
            new Setting("EDGEFLOW_TUNNEL_REQUEST_TIMEOUT_SECONDS", TUNNEL_PID, "request_timeout_seconds",
                    Type.POSITIVE_INTEGER, false),
            new Setting("EDGEFLOW_TUNNEL_MAX_BODY_BYTES", TUNNEL_PID, "max_body_bytes", Type.POSITIVE_INTEGER, false),
            // public keys: not secret, but only these decide which code the device runs (docs/updates-device.md)
            new Setting("EDGEFLOW_UPDATE_TRUSTED_KEYS", UPDATE_PID, "trusted_keys", Type.STRING_LIST, false),
            new Setting("EDGEFLOW_CONSOLE_USER", CONSOLE_PID, "user", Type.STRING, false),
            new Setting("EDGEFLOW_CONSOLE_PASSWORD", CONSOLE_PID, ".password", Type.STRING, true));

    /**
     * Variables that steer the import itself ({@code EDGEFLOW_ENV_FILE}) or the start script (JVM options, the
     * class data sharing archive) rather than land in a PID: known, so never warned about.
     */
    public static final List<String> META_VARIABLES = List.of("EDGEFLOW_ENV_FILE", "EDGEFLOW_JAVA_OPTS",
            "EDGEFLOW_CDS_ARCHIVE");

    /**
     * Finds a setting by its variable name; for a variable with several rows, the first.
     *
     * @param variable the variable, for example {@code EDGEFLOW_HTTP_PORT}
     * @return the setting, if there is one
     */
    public static Optional<Setting> byVariable(String variable) {
        return ALL.stream().filter(s -> s.variable.equals(variable)).findFirst();
    }

    /**
     * Converts the text of a variable into the value stored in Config Admin.
     *
     * @param text the text as written
     * @return the typed value; null if the text holds nothing for this property
     * @throws IllegalArgumentException with a message that names the problem but not a secret value
     */
    public Object convert(String text) {
        String value = text.strip();
        return switch (type) {
            case STRING -> value;
            case STRING_LIST -> java.util.Arrays.stream(value.split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).toArray(String[]::new);
            case PROXY_ADDRESS -> {
                String[] split = ProxyAddress.splitPassword(value);
                yield split == null ? value : split[0];
            }
            case PROXY_PASSWORD -> {
                String[] split = ProxyAddress.splitPassword(value);
                yield split == null || split[1].isEmpty() ? null : split[1];
            }
            case HOST -> {
                if (value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("expected a host name or IP address");
                }
                yield value;
            }
            case PORT, PORT_TEXT -> {
                int port;
                try {
                    port = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a port number from 1 to 65535");
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("expected a port number from 1 to 65535");
                }
                yield type == Type.PORT_TEXT ? Integer.toString(port) : port;
            }
            case POSITIVE_INTEGER -> {
                int number;
                try {
                    number = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a whole number of at least 1");
                }
                if (number < 1) {
                    throw new IllegalArgumentException("expected a whole number of at least 1");
                }
                yield number;
            }
            case BOOLEAN -> switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> Boolean.TRUE;
                case "false", "no", "off", "0" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("expected true or false");
            };
            case ABSOLUTE_PATH -> {
                try {
                    if (value.isEmpty() || !Path.of(value).isAbsolute()) {
                        throw new IllegalArgumentException("expected an absolute path");
                    }
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException("expected an absolute path");
                }
                yield value;
            }
        };
    }

    /** How a variable's text is read. */
    public enum Type {
        /** Any text. */
        STRING,
        /** Comma-separated text, stored as String[] (blank entries dropped). */
        STRING_LIST,
        /** A proxy address, stored without the password it may hold ({@code http://user@host:port}). */
        PROXY_ADDRESS,
        /** The password in a proxy address ({@code http://user:password@host:port}), if any. */
        PROXY_PASSWORD,
        /** A host name or IP address. */
        HOST,
        /** A TCP port, 1 to 65535, stored as Integer. */
        PORT,
        /**
         * A TCP port, 1 to 65535, stored as String: Pax Web 8 reads its configuration as text and fails to start on
         * an Integer (ClassCastException in its property resolver).
         */
        PORT_TEXT,
        /** A whole number of at least 1, stored as Integer. */
        POSITIVE_INTEGER,
        /** true/false (also yes/no, on/off, 1/0), stored as Boolean. */
        BOOLEAN,
        /** An absolute file system path. */
        ABSOLUTE_PATH
    }
}
