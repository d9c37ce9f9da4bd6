package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables of several nodes on one database: the nodes and their heartbeats, and where each device's tunnel
 * is. Created only when the cloud runs as a node of several ({@code serve --node-url}); portable SQL, as
 * {@link Schema}.
 */
final class NodeSchema {
    private static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS cloud_nodes ("
            + " node_id VARCHAR(64) PRIMARY KEY,"
            + " url VARCHAR(512) NOT NULL,"
            + " heartbeat_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS device_presence ("
            + " device_id VARCHAR(64) PRIMARY KEY,"
            + " node_id VARCHAR(64),"
            + " connected_at BIGINT,"
            + " last_heartbeat_at BIGINT,"
            + " disconnected_at BIGINT,"
            + " remote_address VARCHAR(128))",
        "CREATE INDEX IF NOT EXISTS device_presence_node ON device_presence (node_id)",
    };

    private NodeSchema() {
    }

    static void apply(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            for (String ddl : DDL) {
                s.execute(ddl);
            }
        }
    }
}
