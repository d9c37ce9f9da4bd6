package io.edgeflow.cloud.store;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables. Portable SQL: VARCHAR and BIGINT only, times as milliseconds since the epoch (UTC),
 * identifiers chosen by the application (no engine-specific auto-increment), {@code IF NOT EXISTS}
 * as SQLite, H2 and PostgreSQL all understand it.
 */
final class Schema {
    /** 2: artifacts, their signatures, deployments and their devices (remote updates, issue 14). */
    static final int VERSION = 2;

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
        // version 2: remote updates
        "CREATE TABLE IF NOT EXISTS artifacts ("
            + " sha256 VARCHAR(64) PRIMARY KEY,"
            + " symbolic_name VARCHAR(255) NOT NULL,"
            + " version VARCHAR(128) NOT NULL,"
            + " size BIGINT NOT NULL,"
            + " uploaded_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS artifact_signatures ("
            + " sha256 VARCHAR(64) NOT NULL,"
            + " key_id VARCHAR(16) NOT NULL,"
            + " public_key VARCHAR(100) NOT NULL,"
            + " signature VARCHAR(100) NOT NULL,"
            + " added_at BIGINT NOT NULL,"
            + " PRIMARY KEY (sha256, key_id))",
        "CREATE TABLE IF NOT EXISTS deployments ("
            + " id VARCHAR(40) PRIMARY KEY,"
            + " state VARCHAR(16) NOT NULL,"
            + " spec VARCHAR(100000) NOT NULL,"
            + " current_wave BIGINT NOT NULL,"
            + " created_at BIGINT NOT NULL,"
            + " updated_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS deployment_artifacts ("
            + " deployment_id VARCHAR(40) NOT NULL,"
            + " sha256 VARCHAR(64) NOT NULL,"
            + " PRIMARY KEY (deployment_id, sha256))",
        "CREATE INDEX IF NOT EXISTS deployment_artifacts_sha ON deployment_artifacts (sha256)",
        "CREATE TABLE IF NOT EXISTS deployment_devices ("
            + " deployment_id VARCHAR(40) NOT NULL,"
            + " device_id VARCHAR(40) NOT NULL,"
            + " wave BIGINT NOT NULL,"
            + " state VARCHAR(16) NOT NULL,"
            + " updated_at BIGINT NOT NULL,"
            + " reason VARCHAR(1000),"
            + " failed VARCHAR(4000),"
            + " PRIMARY KEY (deployment_id, device_id))",
        "CREATE INDEX IF NOT EXISTS deployment_devices_device ON deployment_devices (device_id)",
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
        if (version == null || Integer.parseInt(version) < VERSION) {
            // an older schema: its tables are untouched, the new ones were created above
            tx.putMeta("schema_version", Integer.toString(VERSION));
        } else if (Integer.parseInt(version) > VERSION) {
            throw new SQLException("The database was written by a newer EdgeFlow cloud (schema " + version
                    + "); this one understands schema " + VERSION + ".");
        }
        return null;
    }
}
