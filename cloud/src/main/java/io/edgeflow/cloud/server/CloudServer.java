package io.edgeflow.cloud.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Supplier;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.dashboard.Dashboard;
import io.edgeflow.cloud.nodes.NodeCluster;
import io.edgeflow.cloud.nodes.NodeSettings;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.tls.LocalCertificateAuthority;
import io.edgeflow.cloud.tls.ServerIdentity;
import io.edgeflow.cloud.tunnel.TunnelEndpoint;
import io.edgeflow.cloud.tunnel.TunnelHub;
import io.edgeflow.protocol.TunnelProtocol;
import io.edgeflow.cloud.tunnel.TunnelSettings;
import io.edgeflow.cloud.updates.Artifacts;
import io.edgeflow.cloud.updates.Rollouts;

/**
 * The reference cloud server: HTTPS only (TLS 1.2 and 1.3), the API of {@link ApiHandler}, storage in
 * the data directory. Start with {@link #start}, stop with {@link #close}.
 * <p>
 * Threading: {@link #start} and {@link #close} are called once each, by the thread that owns the server;
 * the getters may be called from any thread once it has started (they read what start fixed).
 */
public final class CloudServer implements AutoCloseable {
    private final Server jetty;
    private final ServerConnector connector;
    private final Database db;
    private final DataDirectory dataDir;
    private final Path caFile;
    private final ProvisioningService service;
    private final TunnelHub tunnels;
    private final Rollouts rollouts;
    private final NodeCluster cluster;

    private CloudServer(Server jetty, ServerConnector connector, Database db, DataDirectory dataDir, Path caFile,
            ProvisioningService service, TunnelHub tunnels, Rollouts rollouts, NodeCluster cluster) {
        this.rollouts = rollouts;
        this.cluster = cluster;
        this.jetty = jetty;
        this.connector = connector;
        this.db = db;
        this.dataDir = dataDir;
        this.caFile = caFile;
        this.service = service;
        this.tunnels = tunnels;
    }

    /**
     * Starts the server.
     *
     * @param config where and how
     * @param clock the clock every expiry is measured with (tests move it)
     * @param out where to print what a person starting the server needs to know (paths, the URL); never a
     *        secret
     * @return the running server
     * @throws Exception if it cannot start; the message says why
     */
    public static CloudServer start(ServerConfig config, Clock clock, PrintStream out) throws Exception {
        return start(config, null, clock, out);
    }

    /**
     * Starts the server as one node of several on one database.
     *
     * @param config where and how
     * @param node this node (id, address, shared secret), or null for a cloud of one node
     * @param clock the clock every expiry is measured with (tests move it)
     * @param out where to print what a person starting the server needs to know; never a secret
     * @return the running server
     * @throws Exception if it cannot start; the message says why
     */
    public static CloudServer start(ServerConfig config, NodeSettings node, Clock clock, PrintStream out)
            throws Exception {
        SecureRandom random = new SecureRandom();
        DataDirectory dir = new DataDirectory(config.dataDir());
        Database db;
        byte[] codeKey;
        try {
            codeKey = dir.codeHashKey(random);
            db = openDatabase(config, dir);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
        Server jetty = null;
        Rollouts rollouts = null;
        NodeCluster cluster = null;
        try {
            out.println("Database: " + db.description());
            AdminTokens tokens = AdminTokens.ensure(db, dir.path(), clock, random, config.newAdminToken(),
                    file -> out.println("Admin token written to " + file + " (mode 0600); it is shown nowhere else."));
            if (node != null) {
                tokens = tokens.sharedBy(db);
            }
            Tls tls = tls(config, dir, clock, out);
            ProvisioningService service = new ProvisioningService(db, config.settings(), clock, random, codeKey);
            jetty = newJetty();
            ClientFaultLog faults = new ClientFaultLog();
            ServerConnector connector = listen(jetty, config, tls.identity(), faults, out);
            TunnelHub tunnels = new TunnelHub(config.tunnel(), clock);
            // a device revoked through another cloud on the same PostgreSQL store: its tunnel here closes too
            db.onRevocation(tunnels::revokeHere); // not revoke: the notice reached every node already
            Artifacts artifacts = new Artifacts(db, dir.path(), clock, config.updates().maxArtifactBytes());
            rollouts = new Rollouts(db, tunnels, clock, random, config.updates().redeliveryDelay());
            jetty.setHandler(handlers(jetty, config, service, tokens, tunnels, faults, artifacts, rollouts,
                    new Dashboard.Setting(tls.caFile(), clock, random, artifacts, rollouts,
                            node != null ? db : null), node));
            jetty.setErrorHandler(new JsonErrorHandler());
            if (node != null) {
                service.shareFailures(new io.edgeflow.cloud.nodes.StoreFailures(db));
                cluster = NodeCluster.join(db, node, tunnels, clock, tls.identity().chain().get(0), codeKey);
                out.println("Node " + node.nodeId() + ", reached by the other nodes at " + node.url());
            }
            jetty.start();
            return new CloudServer(jetty, connector, db, dir, tls.caFile(), service, tunnels, rollouts, cluster);
        } catch (Exception e) {
            stopQuietly(jetty);
            if (cluster != null) {
                cluster.close();
            }
            if (rollouts != null) {
                rollouts.close();
            }
            db.close();
            dir.close();
            throw e;
        }
    }

    /** The server's TLS identity, and the local CA file agents trust (null with the operator's certificate). */
    private record Tls(ServerIdentity identity, Path caFile) {
    }

    /** The operator's certificate, or the local CA's (created, or a new server certificate issued, if needed). */
    private static Tls tls(ServerConfig config, DataDirectory dir, Clock clock, PrintStream out) throws Exception {
        Tls tls;
        if (config.certificate() != null) {
            tls = new Tls(ServerIdentity.load(config.certificate(), config.privateKey()), null);
            out.println("TLS certificate: " + config.certificate().toAbsolutePath());
        } else {
            LocalCertificateAuthority.Result local = LocalCertificateAuthority.ensure(dir.path(), clock);
            Path caFile = local.caCertificate();
            tls = new Tls(ServerIdentity.load(local.serverChain(), local.serverKey()), caFile);
            out.println((local.createdCa() ? "Created a local CA: " : "Local CA: ") + caFile
                    + "  (agents trust it with EDGEFLOW_SAAS_CA_FILE=" + caFile + ")");
            if (local.issuedServerCertificate() && !local.createdCa()) {
                out.println("Issued a new server certificate from that CA: " + local.serverChain());
            }
        }
        tls.identity().validityWarning(clock.instant()).ifPresent(out::println);
        return tls;
    }

    private static Server newJetty() {
        QueuedThreadPool threads = new QueuedThreadPool(64, 8);
        threads.setName("cloud-http");
        Server jetty = new Server(threads);
        jetty.setStopAtShutdown(false);
        return jetty;
    }

    /**
     * Adds the HTTPS connectors: one on the configured address, and for the default ({@code localhost}) one on
     * 127.0.0.1 and one on ::1 with the same port.
     *
     * @return the first connector
     */
    private static ServerConnector listen(Server jetty, ServerConfig config, ServerIdentity identity,
            ClientFaultLog faults, PrintStream out) throws IOException {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(identity.keyStore());
        ssl.setKeyStorePassword(identity.password());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        ssl.setSniRequired(false);

        HttpConfiguration http = new HttpConfiguration();
        http.setSecureScheme("https");
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(true); // devices read the cloud's time from it (clock skew)
        // every URI reaches the handlers: RefusedUris, the outermost, refuses what Jetty's default would, with the
        // body drained before the close (Jetty's own refusal closes with it unread, and the client loses the answer)
        http.setUriCompliance(UriCompliance.UNSAFE);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // a certificate of the operator's may name other hosts
        http.addCustomizer(secure);

        ConnectionLimits limits = config.limits();
        // one limit for every connector: it counts per source address
        PerAddressConnectionLimit perAddress = limits.maxConnectionsPerAddress() > 0
                || limits.maxConnectionsPerSecondPerAddress() > 0
                        ? new PerAddressConnectionLimit(limits.maxConnectionsPerAddress(),
                                limits.maxConnectionsPerSecondPerAddress(), faults, System::nanoTime)
                        : null;
        Supplier<ServerConnector> newConnector = () -> connector(jetty, ssl, http, limits, perAddress, faults);
        ServerConnector connector = newConnector.get();
        boolean bothLoopbacks = ServerConfig.BOTH_LOOPBACKS.equalsIgnoreCase(config.bind());
        connector.setHost(bothLoopbacks ? "127.0.0.1" : config.bind());
        connector.setPort(config.port());
        jetty.addConnector(connector);
        if (bothLoopbacks) {
            loopbackV6(jetty, connector, newConnector, out);
        }
        return connector;
    }

    /**
     * {@code /api/v1/tunnel} upgrades to a WebSocket; {@code /dashboard/} is the dashboard; every other request goes
     * on to the JSON API.
     */
    private static RefusedUris handlers(Server jetty, ServerConfig config, ProvisioningService service,
            AdminTokens tokens, TunnelHub tunnels, ClientFaultLog faults, Artifacts artifacts, Rollouts rollouts,
            Dashboard.Setting dashboard, NodeSettings node) {
        TunnelSettings tunnelSettings = config.tunnel();
        WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(jetty, container -> {
            container.setIdleTimeout(tunnelSettings.idleTimeout());
            container.setMaxTextMessageSize(tunnelSettings.maxFrameChars());
            container.setMaxBinaryMessageSize(64 * 1024);
            container.addMapping(TunnelProtocol.PATH, new TunnelEndpoint(service, tunnels));
        });
        ApiHandler api = new ApiHandler(service, tokens, tunnels, config.limits(), faults, artifacts, rollouts,
                dashboard.caFile(), node);
        upgrades.setHandler(new Dashboard(api, service, tokens, tunnels, dashboard));
        return new RefusedUris(upgrades, api);
    }

    private static void stopQuietly(Server jetty) {
        if (jetty != null) {
            try {
                jetty.stop();
            } catch (Exception ignored) {
                // reporting the start failure matters more
            }
        }
    }

    /**
     * A second connector on ::1 and the IPv4 connector's port (opened here to learn it, when it is 0), with
     * the same connection factories and idle timeout; skipped with one printed line where ::1 cannot be
     * bound (no IPv6 on this machine, or its port taken there).
     */
    private static void loopbackV6(Server jetty, ServerConnector v4, Supplier<ServerConnector> newConnector,
            PrintStream out) throws IOException {
        v4.open();
        int port = v4.getLocalPort();
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, v6)) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            out.println("Not listening on [::1]:" + port + " (" + e.getMessage() + "); IPv4 loopback only");
            return;
        }
        ServerConnector connector = newConnector.get();
        connector.setHost("::1");
        connector.setPort(port);
        jetty.addConnector(connector);
    }

    /**
     * An HTTPS connector with the client limits: per source address (shared by every connector), a deadline
     * for the first request head, and the idle timeout.
     */
    private static ServerConnector connector(Server jetty, SslContextFactory.Server ssl, HttpConfiguration http,
            ConnectionLimits limits, PerAddressConnectionLimit perAddress, ClientFaultLog faults) {
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        if (perAddress != null) {
            // on the HTTP/1.1 factory only: each connection is seen once, and no longer once it is a tunnel
            http1.addEventListener(perAddress);
        }
        ServerConnector connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, "http/1.1"), http1);
        // the idle timeout never fires on a handshake or request head sent a byte at a time
        http1.addEventListener(new FirstRequestDeadline(limits.idleTimeout(), connector::getScheduler, faults));
        // bounds a silent connection: a TLS handshake or request head that never comes, a keep-alive nobody
        // uses; a body that trickles in is bounded by the body timeout (ApiHandler)
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        return connector;
    }

    private static Database openDatabase(ServerConfig config, DataDirectory dir) throws IOException {
        try {
            return config.database() == null ? Database.open(dir.path()) : Database.open(config.database());
        } catch (SQLException e) {
            throw new IOException("Cannot open the database " + (config.database() == null ? "in " + dir.path()
                    : config.database()) + ": " + e.getMessage(), e);
        }
    }

    /** @return the port the server listens on */
    public int port() {
        return connector.getLocalPort();
    }

    /** @return the address the server listens on */
    public String host() {
        return connector.getHost();
    }

    /** @return the base URL, {@code https://host:port} (of the first address it listens on) */
    public String url() {
        String host = host().contains(":") ? "[" + host() + "]" : host();
        return "https://" + host + ":" + port();
    }

    /** @return the base URL of every address it listens on: two for the default, 127.0.0.1 and ::1 */
    public java.util.List<String> urls() {
        java.util.List<String> urls = new java.util.ArrayList<>();
        for (org.eclipse.jetty.server.Connector c : jetty.getConnectors()) {
            if (c instanceof ServerConnector s) {
                String host = s.getHost() == null ? "0.0.0.0" : s.getHost();
                urls.add("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + s.getLocalPort());
            }
        }
        return urls;
    }

    /** @return the local CA certificate agents trust, or null if the operator gave a certificate */
    public Path caFile() {
        return caFile;
    }

    /** @return the data directory */
    public Path dataDir() {
        return dataDir.path();
    }

    /** @return the admin token hand-over file */
    public Path adminTokenFile() {
        return dataDir.path().resolve(AdminTokens.FILE_NAME);
    }

    /** @return the provisioning rules */
    public ProvisioningService service() {
        return service;
    }

    /** @return the open device tunnels */
    public TunnelHub tunnels() {
        return tunnels;
    }

    /** @return the TLS protocols the server accepts */
    public String[] protocols() {
        SslConnectionFactory factory = connector.getConnectionFactory(SslConnectionFactory.class);
        return factory.getSslContextFactory().getSelectedProtocols();
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop the HTTP server: " + e.getMessage(), e);
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            rollouts.close();
            db.close();
            dataDir.close();
        }
    }
}
