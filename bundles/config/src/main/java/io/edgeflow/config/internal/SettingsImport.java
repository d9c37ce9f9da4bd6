package io.edgeflow.config.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.edgeflow.envfile.EnvFile;

/**
 * Moves {@code EDGEFLOW_*} values into Config Admin. The environment wins over the env file, and
 * both win over the metatype defaults. A value is written only when it differs from the one imported
 * last time, so an edit made later through Config Admin (a console) stays in force across restarts
 * until the environment or env-file value itself changes. To know what was imported last time without
 * keeping the values (some are secrets), the import remembers a keyed fingerprint of each ({@link Fingerprints}).
 */
final class SettingsImport {

    /** Reads and writes Config Admin configurations; a seam for unit tests. */
    interface ConfigStore {
        /**
         * @param pid the PID
         * @return a mutable copy of its properties; empty if it has no configuration
         * @throws IOException if Config Admin fails
         */
        Map<String, Object> read(String pid) throws IOException;

        /**
         * @param pid the PID
         * @param properties the new properties
         * @throws IOException if Config Admin fails
         */
        void write(String pid, Map<String, Object> properties) throws IOException;

        /**
         * @param pid the PID
         * @return true if Config Admin holds a configuration for it, even an empty one
         * @throws IOException if Config Admin fails
         */
        boolean exists(String pid) throws IOException;
    }

    /**
     * What an import did.
     *
     * @param applied one line per value written, without secret values
     * @param warnings one line per value that was ignored
     * @param fingerprints the fingerprints to remember for the next import ({@code pid/property} to fingerprint)
     */
    record Outcome(List<String> applied, List<String> warnings, Map<String, String> fingerprints) {
    }

    private record Candidate(Setting setting, Object value, String fingerprint, String source) {
    }

    /**
     * Remembered fingerprints of version 0.1, whose secrets had public property names: under the private names
     * they have now, so an upgrade does not import them again over a console edit.
     */
    private static final Map<String, String> RENAMED = Map.of(
            Setting.LOCAL_API_PID + "/api_token", Setting.LOCAL_API_PID + "/.api_token",
            Setting.SAAS_PID + "/provisioning_code", Setting.SAAS_PID + "/.provisioning_code",
            Setting.SAAS_PID + "/api_key", Setting.SAAS_PID + "/.api_key");

    private SettingsImport() {
    }

    /**
     * Imports the settings.
     *
     * @param store Config Admin
     * @param environment the process environment
     * @param envFile the parsed env file
     * @param envFileName the env file's path, for messages
     * @param remembered the fingerprints remembered from the last import
     * @param fingerprints this installation's fingerprint key
     * @return what was done
     * @throws IOException if Config Admin fails
     */
    static Outcome apply(ConfigStore store, Map<String, String> environment, EnvFile envFile, String envFileName,
            Map<String, String> remembered, Fingerprints fingerprints) throws IOException {
        return apply(store, environment, envFile, envFileName, remembered, fingerprints, HttpServer.FELIX_HTTP);
    }

    /**
     * Imports the settings, the local API's host and port into the given HTTP server's configuration.
     *
     * @param store Config Admin
     * @param environment the process environment
     * @param envFile the parsed env file
     * @param envFileName the env file's path, for messages
     * @param remembered the fingerprints remembered from the last import
     * @param fingerprints this installation's fingerprint key
     * @param server the HTTP server of this runtime
     * @return what was done
     * @throws IOException if Config Admin fails
     */
    static Outcome apply(ConfigStore store, Map<String, String> environment, EnvFile envFile, String envFileName,
            Map<String, String> remembered, Fingerprints fingerprints, HttpServer server) throws IOException {
        List<Setting> settings = server.settings();
        List<String> required = server.configurationRequired();
        Map<String, String> previous = new LinkedHashMap<>();
        remembered.forEach((key, value) -> previous.put(RENAMED.getOrDefault(key, key), value));
        List<String> applied = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> remember = new LinkedHashMap<>();

        warnUnknown(environment.keySet(), "the environment", warnings);
        warnUnknown(envFile.values().keySet(), envFileName, warnings);

        // identity: Setting.ALL holds each row once, and a record's hashCode costs a bootstrap at start-up
        Map<Setting, Candidate> chosen = new java.util.IdentityHashMap<>();
        for (Setting setting : settings) {
            String raw;
            String source;
            if (environment.containsKey(setting.variable())) {
                raw = environment.get(setting.variable());
                source = "the environment";
            } else if (envFile.values().containsKey(setting.variable())) {
                raw = envFile.values().get(setting.variable());
                source = envFileName;
            } else {
                continue;
            }
            try {
                Object value = setting.convert(raw);
                if (value != null) { // null: nothing for this property (a proxy address without a password)
                    chosen.put(setting, new Candidate(setting, value, fingerprints.of(setting, value), source));
                }
            } catch (IllegalArgumentException e) {
                String shown = setting.secret() ? "" : " (got '" + printable(raw) + "')";
                String warning = setting.variable() + " from " + source + " ignored: " + e.getMessage() + shown;
                if (!warnings.contains(warning)) { // once, even when the variable feeds several PIDs
                    warnings.add(warning);
                }
            }
        }

        for (String pid : new TreeSet<>(settings.stream().map(Setting::pid).toList())) {
            Map<String, Object> properties = null;
            boolean changed = false;
            for (Setting setting : settings) {
                if (!setting.pid().equals(pid)) {
                    continue;
                }
                String key = pid + "/" + setting.property();
                Candidate candidate = chosen.get(setting);
                String before = previous.get(key);
                if (candidate != null) {
                    remember.put(key, candidate.fingerprint());
                    if (fingerprints.matches(before, setting, candidate.value())) {
                        continue; // unchanged since the last import: a console edit, if any, stays
                    }
                    if (properties == null) {
                        properties = store.read(pid);
                    }
                    properties.put(setting.property(), candidate.value());
                    changed = true;
                    applied.add(setting.variable() + (setting.secret() ? "" : "=" + Fingerprints.text(candidate.value())) + " from "
                            + candidate.source() + " -> " + pid + " " + setting.property());
                } else if (before != null) {
                    // The variable was removed: drop the value it had put there, unless a console edit replaced it.
                    if (properties == null) {
                        properties = store.read(pid);
                    }
                    Object current = properties.get(setting.property());
                    if (current != null && fingerprints.matches(before, setting, current)) {
                        properties.remove(setting.property());
                        changed = true;
                        applied.add(setting.variable() + " no longer set: " + pid + " " + setting.property()
                                + " returns to its default");
                    }
                }
            }
            if (changed) {
                if (server.ownServer() && pid.equals(server.pid()) && !properties.isEmpty()) {
                    properties.put(HttpServer.OWN_SERVER_PROPERTY, HttpServer.OWN_SERVER_MARKER);
                }
                store.write(pid, properties);
            } else if (required.contains(pid) && !store.exists(pid)) {
                store.write(pid, store.read(pid));
            }
        }
        if (server.ownServer()) {
            targetOwnServer(store, server, chosen.keySet().stream().anyMatch(s -> s.pid().equals(server.pid())),
                    applied);
        }
        return new Outcome(applied, warnings, remember);
    }

    /**
     * With a server of the agent's own (Equinox HTTP Jetty's factory configuration that {@code EDGEFLOW_HTTP_*}
     * make), the local API serves on it alone: by the HTTP Whiteboard a servlet without a target serves on every
     * HTTP runtime, so it would also be on the platform's server (Kura's, often on every address), whatever address
     * the operator gave. Without the variables, no target: the local API serves on the platform's server.
     */
    private static void targetOwnServer(ConfigStore store, HttpServer server, boolean own, List<String> applied)
            throws IOException {
        if (own) {
            Map<String, Object> serverProperties = store.read(server.pid());
            if (!HttpServer.OWN_SERVER_MARKER.equals(serverProperties.get(HttpServer.OWN_SERVER_PROPERTY))) {
                serverProperties.put(HttpServer.OWN_SERVER_PROPERTY, HttpServer.OWN_SERVER_MARKER);
                store.write(server.pid(), serverProperties);
            }
        }
        boolean changed = false;
        for (String pid : HttpServer.TARGET_PIDS) {
            Map<String, Object> target = store.read(pid);
            Object current = target.get(HttpServer.TARGET_PROPERTY);
            if (own && !HttpServer.OWN_SERVER_TARGET.equals(current)) {
                target.put(HttpServer.TARGET_PROPERTY, HttpServer.OWN_SERVER_TARGET);
            } else if (!own && current != null) {
                target.remove(HttpServer.TARGET_PROPERTY);
            } else {
                continue;
            }
            store.write(pid, target);
            changed = true;
        }
        if (changed) {
            applied.add(own ? "EDGEFLOW_HTTP_* -> the local API serves only on " + server.label() + "'s server "
                    + server.pid() + " (" + HttpServer.TARGET_PROPERTY + "=" + HttpServer.OWN_SERVER_TARGET + " in "
                    + String.join(" and ", HttpServer.TARGET_PIDS) + ")"
                    : "EDGEFLOW_HTTP_* not set: the local API serves on the platform's HTTP server again");
        }
    }

    private static void warnUnknown(Iterable<String> names, String source, List<String> warnings) {
        for (String name : names) {
            if (name.startsWith("EDGEFLOW_") && Setting.byVariable(name).isEmpty()
                    && !Setting.META_VARIABLES.contains(name)) {
                warnings.add(name + " from " + source + " is not an EdgeFlow setting and was ignored");
            }
        }
    }


    private static String printable(String raw) {
        String s = raw.length() > 64 ? raw.substring(0, 64) + "…" : raw;
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
