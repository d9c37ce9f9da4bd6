package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.edgeflow.cloud.Durations;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ConnectionLimits;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.store.DatabaseUrl;
import io.edgeflow.protocol.TunnelProtocol;
import io.edgeflow.cloud.tunnel.TunnelSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import io.edgeflow.cloud.updates.UpdateSettings;
import picocli.CommandLine.Option;

/**
 * {@code serve}: runs the reference cloud until it is stopped (SIGTERM, Ctrl-C). An option not given takes
 * the default of {@link CloudSettings}, {@link TunnelSettings} or {@link ConnectionLimits}.
 * <p>
 * Threading: runs on the caller's thread, which then waits for the shutdown hook's thread to stop the server.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the reference cloud over HTTPS (TLS 1.2 and 1.3 only).",
            "On first start it creates, in the data directory, a local CA (ca.pem) with a server certificate for",
            "localhost/127.0.0.1/::1, and an admin token handed over in the 0600 file admin-token. Stop it with",
            "Ctrl-C (SIGTERM)."},
        footer = {"", "Durations: 90s, 10m, 24h, 30d, 1h30m, or plain seconds."})
final class ServeCommand implements Callable<Integer> {
    /** The environment variable that names a PostgreSQL store when --database is not given. */
    static final String DATABASE_URL_ENV = "EDGEFLOW_CLOUD_DATABASE_URL";

    private final Terminal terminal;

    @Option(names = "--port", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "port to listen on (default 8443; 0 picks a free one)")
    Integer port;
    @Option(names = "--bind", paramLabel = "ADDRESS", description = {"address to listen on (default localhost: "
        + "both 127.0.0.1 and ::1;", ":: for every address, IPv4 and IPv6)"})
    String bind;
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "data directory (default $EDGEFLOW_CLOUD_DATA_DIR, else ./" + Cli.DEFAULT_DATA_DIR + ")")
    String dataDir;
    @Option(names = "--database", paramLabel = "URL",
            description = {"keep the store in PostgreSQL: postgresql://user:password@host:5432/database",
                "(default $" + DATABASE_URL_ENV + ", else SQLite in the data directory)"})
    String database;
    @Option(names = "--cert", paramLabel = "FILE",
            description = "use this PEM certificate chain (with --key) instead of the local CA's")
    Path cert;
    @Option(names = "--key", paramLabel = "FILE", description = "the certificate's unencrypted PEM key")
    Path key;
    @Option(names = "--default-code-ttl", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "TTL of codes created without ttl_seconds (default 24h)")
    Duration defaultCodeTtl;
    @Option(names = "--max-code-ttl", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "longest TTL a code may get (default 30d)")
    Duration maxCodeTtl;
    @Option(names = "--claim-grace", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "how long an unconfirmed registration holds its code (default 10m)")
    Duration claimGrace;
    @Option(names = "--key-lifetime", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "API key lifetime (default 365d)")
    Duration keyLifetime;
    @Option(names = "--rotation-overlap", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "how long the previous key works after a rotation (default 24h)")
    Duration rotationOverlap;
    @Option(names = "--max-failed-attempts", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "failed code attempts allowed per address and window (default 10)")
    Integer maxFailedAttempts;
    @Option(names = "--failed-attempt-window", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "the window they are counted in (default 1m)")
    Duration failedAttemptWindow;
    @Option(names = "--lockout", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "how long an address over the limit is refused (default 15m)")
    Duration lockout;
    @Option(names = "--new-admin-token",
            description = "revoke every admin token and hand over a new one in admin-token")
    boolean newAdminToken;
    @Option(names = "--tunnel-idle-timeout", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "close a device tunnel silent for this long (default 90s; agents send heartbeats every "
                    + "30s by default)")
    Duration tunnelIdleTimeout;
    @Option(names = "--tunnel-request-timeout", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "how long a request forwarded to a device may take (default 30s)")
    Duration tunnelRequestTimeout;
    @Option(names = "--tunnel-max-body", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "largest body forwarded through a tunnel, in bytes (default 1048576)")
    Integer tunnelMaxBody;
    @Option(names = "--body-timeout", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "a request body must arrive whole within this (default 10s), else 408")
    Duration bodyTimeout;
    @Option(names = "--idle-timeout", paramLabel = "D", converter = Converters.DurationValue.class,
            description = "close an HTTP connection silent for this long, or without its first request head after "
                    + "this long (default 30s)")
    Duration idleTimeout;
    @Option(names = "--max-connections-per-address", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "open HTTP connections per source address, tunnels not counted (default 256; 0: no limit)")
    Integer maxConnectionsPerAddress;
    @Option(names = "--max-connection-rate-per-address", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "new connections per second per source address, bursts of twice as many (default 100; "
                    + "0: no limit)")
    Integer maxConnectionRatePerAddress;
    @Option(names = "--max-artifact-size", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "largest artifact (bundle jar) accepted, in bytes (default 33554432: 32 MiB)")
    Integer maxArtifactSize;
    @Mixin
    NodeOptions node = new NodeOptions();

    ServeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        io.edgeflow.cloud.nodes.NodeSettings nodeSettings = node.settings(terminal.env, config.certificate(),
                config.database() != null);
        terminal.out.println("EdgeFlow cloud " + Cli.version());
        terminal.out.println("Data directory: " + config.dataDir().toAbsolutePath().normalize());
        CloudServer server;
        try {
            server = CloudServer.start(config, nodeSettings, Clock.systemUTC(), terminal.out);
        } catch (IOException e) {
            if (e.getCause() instanceof BindException || e instanceof BindException) {
                terminal.err.println("error: cannot listen on " + config.bind() + ":" + config.port() + ": "
                        + e.getMessage() + " (is another server running? choose another --port)");
                return Cli.UNREACHABLE;
            }
            throw e;
        }
        describe(config, server);
        awaitShutdown(server);
        return Cli.OK;
    }

    /** @return the configuration: every option given, the defaults for the others; checked by the records */
    ServerConfig config() {
        CloudSettings d = CloudSettings.DEFAULTS;
        CloudSettings settings = new CloudSettings(or(defaultCodeTtl, d.defaultCodeTtl()),
                or(maxCodeTtl, d.maxCodeTtl()), or(claimGrace, d.claimGrace()), or(keyLifetime, d.keyLifetime()),
                or(rotationOverlap, d.rotationOverlap()), or(maxFailedAttempts, d.maxFailedAttempts()),
                or(failedAttemptWindow, d.failedWindow()), or(lockout, d.lockout()));
        TunnelSettings t = TunnelSettings.DEFAULTS;
        TunnelSettings tunnel = new TunnelSettings(or(tunnelIdleTimeout, t.idleTimeout()),
                or(tunnelRequestTimeout, t.requestTimeout()), or(tunnelMaxBody, t.maxBodyBytes()),
                t.maxPendingPerTunnel());
        ConnectionLimits l = ConnectionLimits.DEFAULTS;
        ConnectionLimits limits = new ConnectionLimits(or(bodyTimeout, l.bodyTimeout()),
                or(idleTimeout, l.idleTimeout()), or(maxConnectionsPerAddress, l.maxConnectionsPerAddress()),
                or(maxConnectionRatePerAddress, l.maxConnectionsPerSecondPerAddress()));
        return new ServerConfig(or(bind, ServerConfig.DEFAULT_BIND), or(port, ServerConfig.DEFAULT_PORT),
                ClientOptions.dataDir(dataDir, terminal.env), cert, key, settings, newAdminToken, tunnel, limits,
                maxArtifactSize == null ? UpdateSettings.DEFAULTS
                        : UpdateSettings.DEFAULTS.withMaxArtifactBytes(maxArtifactSize)).withDatabase(databaseUrl());
    }

    /** @return the PostgreSQL store named by --database or the environment, or null for SQLite */
    private DatabaseUrl databaseUrl() {
        String url = database != null ? database : terminal.env.get(DATABASE_URL_ENV);
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            return DatabaseUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((database != null ? "--database: " : DATABASE_URL_ENV + ": ")
                    + e.getMessage());
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** What a person starting the server needs to know: the settings in force, where it listens. */
    private void describe(ServerConfig config, CloudServer server) {
        CloudSettings s = config.settings();
        terminal.out.println("Settings: codes " + Durations.format(s.defaultCodeTtl()) + " (max "
                + Durations.format(s.maxCodeTtl()) + "), claim grace " + Durations.format(s.claimGrace())
                + ", keys " + Durations.format(s.keyLifetime()) + " (rotation overlap "
                + Durations.format(s.rotationOverlap()) + "), " + s.maxFailedAttempts()
                + " failed codes per " + Durations.format(s.failedWindow()) + " then "
                + Durations.format(s.lockout()) + " lockout");
        terminal.out.println("Device tunnel: wss://" + server.url().substring("https://".length()) + TunnelProtocol.PATH
                + " (idle timeout " + Durations.format(config.tunnel().idleTimeout()) + ", requests "
                + Durations.format(config.tunnel().requestTimeout()) + ", bodies up to "
                + config.tunnel().maxBodyBytes() + " bytes)");
        terminal.out.println("Clients: " + config.limits().describe());
        terminal.out.println("Listening on " + String.join(" and ", server.urls()));
        terminal.out.flush();
    }

    private void awaitShutdown(CloudServer server) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            terminal.out.println("EdgeFlow cloud stopped; every answered request is in " + server.dataDir());
            terminal.out.flush();
            stopped.countDown();
        }, "cloud-shutdown"));
        stopped.await();
    }
}
