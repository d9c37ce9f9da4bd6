package io.edgeflow.cloud.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;

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
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.tls.LocalCertificateAuthority;
import io.edgeflow.cloud.tls.ServerIdentity;
import io.edgeflow.cloud.tunnel.TunnelEndpoint;
import io.edgeflow.cloud.tunnel.TunnelHub;
import io.edgeflow.cloud.tunnel.TunnelProtocol;
import io.edgeflow.cloud.tunnel.TunnelSettings;

/**
 * The reference cloud server: HTTPS only (TLS 1.2 and 1.3), the API of {@link ApiHandler}, storage in
 * the data directory. Start with {@link #start}, stop with {@link #close}.
 */
public final class CloudServer implements AutoCloseable {
    private final Server jetty;
    private final ServerConnector connector;
    private final Database db;
    private final DataDirectory dataDir;
    private final Path caFile;
    private final ProvisioningService service;
    private final TunnelHub tunnels;

    private CloudServer(Server jetty, ServerConnector connector, Database db, DataDirectory dataDir, Path caFile,
            ProvisioningService service, TunnelHub tunnels) {
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
        SecureRandom random = new SecureRandom();
        DataDirectory dir = new DataDirectory(config.dataDir());
        Database db;
        byte[] codeKey;
        try {
            codeKey = dir.codeHashKey(random);
            db = openDatabase(dir);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
        Server jetty = null;
        try {
            AdminTokens tokens = AdminTokens.ensure(db, dir.path(), clock, random, config.newAdminToken(),
                    file -> out.println("Admin token written to " + file + " (mode 0600); it is shown nowhere else."));
            Path caFile = null;
            ServerIdentity identity;
            if (config.certificate() != null) {
                identity = ServerIdentity.load(config.certificate(), config.privateKey());
                out.println("TLS certificate: " + config.certificate().toAbsolutePath());
            } else {
                LocalCertificateAuthority.Result tls = LocalCertificateAuthority.ensure(dir.path(), clock);
                caFile = tls.caCertificate();
                identity = ServerIdentity.load(tls.serverChain(), tls.serverKey());
                out.println((tls.createdCa() ? "Created a local CA: " : "Local CA: ") + caFile
                        + "  (agents trust it with EDGEFLOW_SAAS_CA_FILE=" + caFile + ")");
                if (tls.issuedServerCertificate() && !tls.createdCa()) {
                    out.println("Issued a new server certificate from that CA: " + tls.serverChain());
                }
            }
            ProvisioningService service = new ProvisioningService(db, config.settings(), clock, random, codeKey);

            QueuedThreadPool threads = new QueuedThreadPool(64, 8);
            threads.setName("cloud-http");
            jetty = new Server(threads);
            jetty.setStopAtShutdown(false);

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
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // a certificate of the operator's may name other hosts
            http.addCustomizer(secure);

            ConnectionLimits limits = config.limits();
            ClientFaultLog faults = new ClientFaultLog();
            HttpConnectionFactory http1 = new HttpConnectionFactory(http);
            if (limits.maxConnectionsPerAddress() > 0 || limits.maxConnectionsPerSecondPerAddress() > 0) {
                // on the HTTP/1.1 factory only: each connection is seen once, and no longer once it is a tunnel
                http1.addEventListener(new PerAddressConnectionLimit(limits.maxConnectionsPerAddress(),
                        limits.maxConnectionsPerSecondPerAddress(), faults, System::nanoTime));
            }
            ServerConnector connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, "http/1.1"), http1);
            // the idle timeout never fires on a handshake or request head sent a byte at a time
            http1.addEventListener(new FirstRequestDeadline(limits.idleTimeout(), connector::getScheduler, faults));
            connector.setHost(config.bind());
            connector.setPort(config.port());
            // bounds a silent connection: a TLS handshake or request head that never comes, a keep-alive
            // nobody uses; a body that trickles in is bounded by the body timeout (ApiHandler)
            connector.setIdleTimeout(limits.idleTimeout().toMillis());
            jetty.addConnector(connector);
            TunnelSettings tunnelSettings = config.tunnel();
            TunnelHub tunnels = new TunnelHub(tunnelSettings, clock);
            // /api/v1/tunnel upgrades to a WebSocket; every other request goes on to the JSON API
            WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(jetty, container -> {
                container.setIdleTimeout(tunnelSettings.idleTimeout());
                container.setMaxTextMessageSize(tunnelSettings.maxFrameChars());
                container.setMaxBinaryMessageSize(64 * 1024);
                container.addMapping(TunnelProtocol.PATH, new TunnelEndpoint(service, tunnels));
            });
            upgrades.setHandler(new ApiHandler(service, tokens, tunnels, limits, faults));
            jetty.setHandler(upgrades);
            jetty.setErrorHandler(new JsonErrorHandler());
            jetty.start();
            return new CloudServer(jetty, connector, db, dir, caFile, service, tunnels);
        } catch (Exception e) {
            if (jetty != null) {
                try {
                    jetty.stop();
                } catch (Exception ignored) {
                    // reporting the start failure matters more
                }
            }
            db.close();
            dir.close();
            throw e;
        }
    }

    private static Database openDatabase(DataDirectory dir) throws IOException {
        try {
            return Database.open(dir.path());
        } catch (SQLException e) {
            throw new IOException("Cannot open the database in " + dir.path() + ": " + e.getMessage(), e);
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

    /** @return the base URL, {@code https://host:port} */
    public String url() {
        String host = host().contains(":") ? "[" + host() + "]" : host();
        return "https://" + host + ":" + port();
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
            db.close();
            dataDir.close();
        }
    }
}
