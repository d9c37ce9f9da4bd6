package io.edgeflow.cloud.store;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables. Portable SQL: VARCHAR and BIGINT only, times as milliseconds since the epoch (UTC),
 * identifiers chosen by the application (no engine-specific auto-increment), {@code IF NOT EXISTS}
 * as SQLite, H2 and PostgreSQL all understand it.
 */
final class Schema {
    static final int VERSION = 1;

    private static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS meta ("
            + " name VARCHAR(64) PRIMARY KEY,"
            + " val VARCHAR(512) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS admin_tokens ("
            + " id VARCHAR(40) PRIMARY KEY,"
            + " token_hash VARCHAR(64) NOT NULL,"
            + " created_at BIGINT NOT NULL,"
            + " revoked_at BIGINT)",
        "CREATE TABLE IF NOT EXISTS provisioning_codes ("
            + " id VARCHAR(40) PRIMARY KEY,"
            + " code_hash VARCHAR(64) NOT NULL UNIQUE,"
            + " code_hint VARCHAR(8) NOT NULL,"
            + " label VARCHAR(200),"
            + " created_at BIGINT NOT NULL,"
            + " expires_at BIGINT NOT NULL,"
            + " revoked_at BIGINT,"
            + " claim_device_id VARCHAR(40),"
            + " claim_request_id VARCHAR(64),"
            + " claim_until BIGINT,"
            + " consumed_at BIGINT,"
            + " version BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS devices ("
            + " id VARCHAR(40) PRIMARY KEY,"
            + " code_id VARCHAR(40) NOT NULL,"
            + " request_id VARCHAR(64) NOT NULL,"
            + " status VARCHAR(16) NOT NULL,"
            + " hardware VARCHAR(16384),"
            + " network VARCHAR(16384),"
            + " source_address VARCHAR(64),"
            + " registered_at BIGINT NOT NULL,"
            + " confirmed_at BIGINT,"
            + " revoked_at BIGINT,"
            + " updated_at BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS devices_code ON devices (code_id)",
        "CREATE TABLE IF NOT EXISTS api_keys ("
            + " id VARCHAR(40) PRIMARY KEY,"
            + " device_id VARCHAR(40) NOT NULL,"
            + " key_hash VARCHAR(64) NOT NULL UNIQUE,"
            + " key_hint VARCHAR(8) NOT NULL,"
            + " status VARCHAR(16) NOT NULL,"
            + " created_at BIGINT NOT NULL,"
            + " expires_at BIGINT NOT NULL,"
            + " valid_until BIGINT,"
            + " confirmed_at BIGINT,"
            + " retired_at BIGINT)",
        "CREATE INDEX IF NOT EXISTS api_keys_device ON api_keys (device_id)",
        "CREATE TABLE IF NOT EXISTS audit_events ("
            + " id BIGINT PRIMARY KEY,"
            + " at BIGINT NOT NULL,"
            + " event VARCHAR(32) NOT NULL,"
            + " result VARCHAR(32) NOT NULL,"
            + " source_address VARCHAR(64),"
            + " code_id VARCHAR(40),"
            + " code_mask VARCHAR(20),"
            + " device_id VARCHAR(40),"
            + " request_id VARCHAR(64),"
            + " detail VARCHAR(500))",
    };

    private Schema() {
    }

    static Void apply(StoreTransaction tx) throws SQLException {
        try (Statement s = tx.connection().createStatement()) {
            for (String ddl : DDL) {
                s.execute(ddl);
            }
        }
        String version = tx.meta("schema_version");
        if (version == null) {
            tx.putMeta("schema_version", Integer.toString(VERSION));
        } else if (Integer.parseInt(version) > VERSION) {
            throw new SQLException("The database was written by a newer EdgeFlow cloud (schema " + version
                    + "); this one understands schema " + VERSION + ".");
        }
        return null;
    }
}
