package io.edgeflow.config.internal;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The HTTP server that serves the local API in the runtime the agent was deployed into, and the Config Admin PID and
 * properties that {@code EDGEFLOW_HTTP_HOST} and {@code EDGEFLOW_HTTP_PORT} land in for it. Each runtime configures
 * its server under its own PID: the rows of {@link Setting#ALL} name Felix HTTP's, and {@link #settings()} moves them
 * to this server's. Found from the bundles installed ({@link #detect}), never from a flag: the same bundle runs in
 * the standalone agent, in Karaf and in Kura.
 */
enum HttpServer {
    /**
     * Felix HTTP Jetty (the standalone agent; also Karaf's {@code felix-http} feature). The launcher runs it with
     * {@code org.apache.felix.http.require.config=true}, so its configuration must exist for it to start.
     */
    FELIX_HTTP("Felix HTTP Jetty", Setting.HTTP_PID, "org.apache.felix.http.host", "org.osgi.service.http.port",
            true, Set.of("org.apache.felix.http.jetty", "org.apache.felix.http.jetty12")),
    /**
     * Pax Web 8 (Karaf's {@code http-whiteboard} / {@code http} features). Karaf keeps this PID in
     * {@code etc/org.ops4j.pax.web.cfg}; Pax Web re-binds when it changes. Its host property takes a comma-separated
     * list of addresses; one address is what {@code EDGEFLOW_HTTP_HOST} gives it. Pax Web reads every value as
     * text: the port goes in as a String.
     */
    PAX_WEB("Pax Web", "org.ops4j.pax.web", "org.ops4j.pax.web.listening.addresses", "org.osgi.service.http.port",
            false, Set.of("org.ops4j.pax.web.pax-web-runtime")) {
        @Override
        Setting.Type portType() {
            return Setting.Type.PORT_TEXT; // Pax Web 8 casts every value of its PID to String
        }
    },
    /**
     * Equinox HTTP Jetty (Kura). Its default server reads framework properties only
     * ({@code org.eclipse.equinox.http.jetty.http.port}), which Config Admin cannot change; what Config Admin
     * configures is the factory {@code org.eclipse.equinox.http.jetty.config}, one Jetty server per configuration.
     * So {@code EDGEFLOW_HTTP_*} make one named factory configuration, {@value #EQUINOX_PID}: a server of its own on
     * that address, serving the same whiteboard as the platform's.
     */
    EQUINOX_HTTP_JETTY("Equinox HTTP Jetty", HttpServer.EQUINOX_PID, "http.host", "http.port", false,
            Set.of("org.eclipse.equinox.http.jetty")) {
        @Override
        boolean ownServer() {
            return true;
        }
    };

    /** The named factory configuration (Config Admin 1.6) of Equinox HTTP Jetty that {@code EDGEFLOW_HTTP_*} make. */
    static final String EQUINOX_PID = "org.eclipse.equinox.http.jetty.config~edgeflow";

    /**
     * Marks the server of the agent's own ({@code other.info} of Equinox HTTP Jetty's factory configuration, which
     * its HTTP runtime publishes as a service property), so the local API's servlets can target it.
     */
    static final String OWN_SERVER_PROPERTY = "other.info";
    static final String OWN_SERVER_MARKER = "io.edgeflow";
    /**
     * The configurations the local API's servlets take (local-api's {@code configurationPid}s), where
     * {@value #TARGET_PROPERTY} goes while the agent has a server of its own: {@code io.edgeflow.localapi.http}
     * (holds nothing else) for the status, facts, not-found and error-page servlets, {@code io.edgeflow.localapi}
     * for the provisioning one. Elsewhere the property only sits on the
     * services of the other components of those PIDs, which no whiteboard reads.
     */
    static final String LOCAL_API_HTTP_PID = "io.edgeflow.localapi.http";
    static final List<String> TARGET_PIDS = List.of(LOCAL_API_HTTP_PID, Setting.LOCAL_API_PID);
    static final String TARGET_PROPERTY = "osgi.http.whiteboard.target";
    /** The local API's servlets on the agent's own server only, not on Kura's (nor Kura's whiteboard on ours). */
    static final String OWN_SERVER_TARGET = "(" + OWN_SERVER_PROPERTY + "=" + OWN_SERVER_MARKER + ")";

    /** Where {@link Setting#ALL} puts the local API's host and port: Felix HTTP's properties. */
    private static final String FELIX_HOST = "org.apache.felix.http.host";
    private static final String FELIX_PORT = "org.osgi.service.http.port";

    private final String label;
    private final String pid;
    private final String hostProperty;
    private final String portProperty;
    private final boolean configurationRequired;
    private final Set<String> bundles;

    HttpServer(String label, String pid, String hostProperty, String portProperty, boolean configurationRequired,
            Set<String> bundles) {
        this.label = label;
        this.pid = pid;
        this.hostProperty = hostProperty;
        this.portProperty = portProperty;
        this.configurationRequired = configurationRequired;
        this.bundles = bundles;
    }

    /**
     * Finds the HTTP server among the installed bundles. Pax Web and Equinox HTTP Jetty are looked for first: a
     * runtime that has one of them serves with it, whatever else it holds. With none of the three, Felix HTTP, as
     * the standalone agent has always been configured.
     *
     * @param symbolicNames the symbolic names of the installed bundles
     * @return the server
     */
    static HttpServer detect(Collection<String> symbolicNames) {
        for (HttpServer server : List.of(PAX_WEB, EQUINOX_HTTP_JETTY, FELIX_HTTP)) {
            if (symbolicNames.stream().anyMatch(server.bundles::contains)) {
                return server;
            }
        }
        return FELIX_HTTP;
    }

    /**
     * @return true if {@code EDGEFLOW_HTTP_*} make a server of the agent's own beside the platform's (Equinox HTTP
     *         Jetty), on which alone the local API must then serve; false if they reconfigure the one server
     */
    boolean ownServer() {
        return false;
    }

    /** @return how the port is stored in this server's configuration */
    Setting.Type portType() {
        return Setting.Type.PORT;
    }

    /** @return the server's name, for messages */
    String label() {
        return label;
    }

    /** @return the PID its host and port are configured under */
    String pid() {
        return pid;
    }

    /** @return the PIDs whose configuration must exist (created empty if missing) for this server to start */
    List<String> configurationRequired() {
        return configurationRequired ? List.of(pid) : List.of();
    }

    /** @return every setting, with the local API's host and port under this server's PID and properties */
    List<Setting> settings() {
        if (this == FELIX_HTTP) {
            return Setting.ALL;
        }
        return Setting.ALL.stream().map(this::moved).toList();
    }

    private Setting moved(Setting setting) {
        if (!setting.pid().equals(Setting.HTTP_PID)) {
            return setting;
        }
        return switch (setting.property()) {
            case FELIX_HOST -> new Setting(setting.variable(), pid, hostProperty, setting.type(), setting.secret());
            case FELIX_PORT -> new Setting(setting.variable(), pid, portProperty, portType(), setting.secret());
            default -> throw new IllegalStateException("no " + label + " property for " + setting.property());
        };
    }
}
