package io.edgeflow.cloud.server;

import java.nio.file.Path;

import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.store.DatabaseUrl;
import io.edgeflow.cloud.tunnel.TunnelSettings;
import io.edgeflow.cloud.updates.UpdateSettings;

/**
 * How to start the server.
 *
 * @param bind the address to listen on
 * @param port the port; 0 for any free one
 * @param dataDir the data directory
 * @param certificate the operator's PEM certificate chain, or null for the local CA's
 * @param privateKey the operator's PEM private key, or null
 * @param settings provisioning settings
 * @param newAdminToken true to revoke every admin token and hand over a new one
 * @param tunnel device tunnel settings
 * @param limits what one client may hold: body timeout, idle timeout, connections per address
 * @param updates remote updates: the largest artifact, the redelivery delay
 * @param database a PostgreSQL store, or null for SQLite in the data directory
 */
public record ServerConfig(String bind, int port, Path dataDir, Path certificate, Path privateKey,
        CloudSettings settings, boolean newAdminToken, TunnelSettings tunnel, ConnectionLimits limits,
        UpdateSettings updates, DatabaseUrl database) {
    /** Default port. */
    public static final int DEFAULT_PORT = 8443;
    /** The bind value that listens on both loopback addresses, 127.0.0.1 and ::1 (on one port). */
    public static final String BOTH_LOOPBACKS = "localhost";
    /** Default bind address: this machine only, over IPv4 and IPv6 ({@value #BOTH_LOOPBACKS}). */
    public static final String DEFAULT_BIND = BOTH_LOOPBACKS;

    /** Checks the combination. */
    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be from 0 to 65535, not " + port);
        }
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("--cert and --key go together: give both or neither");
        }
        if (tunnel == null) {
            tunnel = TunnelSettings.DEFAULTS;
        }
        if (limits == null) {
            limits = ConnectionLimits.DEFAULTS;
        }
        if (updates == null) {
            updates = UpdateSettings.DEFAULTS;
        }
    }

    /**
     * With SQLite in the data directory.
     *
     * @param bind the address to listen on
     * @param port the port; 0 for any free one
     * @param dataDir the data directory
     * @param certificate the operator's PEM certificate chain, or null for the local CA's
     * @param privateKey the operator's PEM private key, or null
     * @param settings provisioning settings
     * @param newAdminToken true to revoke every admin token and hand over a new one
     * @param tunnel device tunnel settings
     * @param limits what one client may hold
     * @param updates remote updates
     */
    public ServerConfig(String bind, int port, Path dataDir, Path certificate, Path privateKey,
            CloudSettings settings, boolean newAdminToken, TunnelSettings tunnel, ConnectionLimits limits,
            UpdateSettings updates) {
        this(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, tunnel, limits, updates, null);
    }

    /**
     * With the default update settings.
     *
     * @param bind the address to listen on
     * @param port the port; 0 for any free one
     * @param dataDir the data directory
     * @param certificate the operator's PEM certificate chain, or null for the local CA's
     * @param privateKey the operator's PEM private key, or null
     * @param settings provisioning settings
     * @param newAdminToken true to revoke every admin token and hand over a new one
     * @param tunnel device tunnel settings
     * @param limits what one client may hold
     */
    public ServerConfig(String bind, int port, Path dataDir, Path certificate, Path privateKey,
            CloudSettings settings, boolean newAdminToken, TunnelSettings tunnel, ConnectionLimits limits) {
        this(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, tunnel, limits,
                UpdateSettings.DEFAULTS);
    }

    /**
     * With the default connection limits.
     *
     * @param bind the address to listen on
     * @param port the port; 0 for any free one
     * @param dataDir the data directory
     * @param certificate the operator's PEM certificate chain, or null for the local CA's
     * @param privateKey the operator's PEM private key, or null
     * @param settings provisioning settings
     * @param newAdminToken true to revoke every admin token and hand over a new one
     * @param tunnel device tunnel settings
     */
    public ServerConfig(String bind, int port, Path dataDir, Path certificate, Path privateKey,
            CloudSettings settings, boolean newAdminToken, TunnelSettings tunnel) {
        this(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, tunnel, ConnectionLimits.DEFAULTS);
    }

    /**
     * With the default tunnel settings.
     *
     * @param bind the address to listen on
     * @param port the port; 0 for any free one
     * @param dataDir the data directory
     * @param certificate the operator's PEM certificate chain, or null for the local CA's
     * @param privateKey the operator's PEM private key, or null
     * @param settings provisioning settings
     * @param newAdminToken true to revoke every admin token and hand over a new one
     */
    public ServerConfig(String bind, int port, Path dataDir, Path certificate, Path privateKey,
            CloudSettings settings, boolean newAdminToken) {
        this(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, TunnelSettings.DEFAULTS, ConnectionLimits.DEFAULTS);
    }

    /**
     * @param dataDir the data directory
     * @return defaults on 127.0.0.1:0 (for tests and embedding)
     */
    public static ServerConfig ephemeral(Path dataDir) {
        return new ServerConfig("127.0.0.1", 0, dataDir, null, null, CloudSettings.DEFAULTS, false);
    }

    /**
     * @param s new settings
     * @return a copy with them
     */
    public ServerConfig withSettings(CloudSettings s) {
        return new ServerConfig(bind, port, dataDir, certificate, privateKey, s, newAdminToken, tunnel, limits,
                updates, database);
    }

    /**
     * @param t new tunnel settings
     * @return a copy with them
     */
    public ServerConfig withTunnel(TunnelSettings t) {
        return new ServerConfig(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, t, limits,
                updates, database);
    }

    /**
     * @param p the port
     * @return a copy listening on that port
     */
    public ServerConfig withPort(int p) {
        return new ServerConfig(bind, p, dataDir, certificate, privateKey, settings, newAdminToken, tunnel, limits,
                updates, database);
    }

    /**
     * @param l new connection limits
     * @return a copy with them
     */
    public ServerConfig withLimits(ConnectionLimits l) {
        return new ServerConfig(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, tunnel, l,
                updates, database);
    }

    /**
     * @param u new update settings
     * @return a copy with them
     */
    public ServerConfig withUpdates(UpdateSettings u) {
        return new ServerConfig(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, tunnel, limits,
                u, database);
    }

    /**
     * @param d a PostgreSQL store, or null for SQLite in the data directory
     * @return a copy with it
     */
    public ServerConfig withDatabase(DatabaseUrl d) {
        return new ServerConfig(bind, port, dataDir, certificate, privateKey, settings, newAdminToken, tunnel, limits,
                updates, d);
    }
}
