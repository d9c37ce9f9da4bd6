-- Schema 1: provisioning (codes, devices, API keys, admin tokens, the audit trail).
-- Portable SQL, as SQLite, H2 and PostgreSQL all accept it: VARCHAR and BIGINT only, times as milliseconds
-- since the epoch (UTC), identifiers chosen by the application. Engine differences live in Dialect.java and
-- in db/migration/<engine>.
-- A database from before migrations (its meta row schema_version says 1 or 2) is baselined at that version.

CREATE TABLE meta (
    name VARCHAR(64) PRIMARY KEY,
    val VARCHAR(512) NOT NULL);

CREATE TABLE admin_tokens (
    id VARCHAR(40) PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT);

CREATE TABLE provisioning_codes (
    id VARCHAR(40) PRIMARY KEY,
    code_hash VARCHAR(64) NOT NULL UNIQUE,
    code_hint VARCHAR(8) NOT NULL,
    label VARCHAR(200),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    claim_device_id VARCHAR(40),
    claim_request_id VARCHAR(64),
    claim_until BIGINT,
    consumed_at BIGINT,
    version BIGINT NOT NULL);

CREATE TABLE devices (
    id VARCHAR(40) PRIMARY KEY,
    code_id VARCHAR(40) NOT NULL,
    request_id VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    hardware VARCHAR(16384),
    network VARCHAR(16384),
    source_address VARCHAR(64),
    registered_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    revoked_at BIGINT,
    updated_at BIGINT NOT NULL);

CREATE INDEX devices_code ON devices (code_id);

CREATE TABLE api_keys (
    id VARCHAR(40) PRIMARY KEY,
    device_id VARCHAR(40) NOT NULL,
    key_hash VARCHAR(64) NOT NULL UNIQUE,
    key_hint VARCHAR(8) NOT NULL,
    status VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    valid_until BIGINT,
    confirmed_at BIGINT,
    retired_at BIGINT);

CREATE INDEX api_keys_device ON api_keys (device_id);

CREATE TABLE audit_events (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    event VARCHAR(32) NOT NULL,
    result VARCHAR(32) NOT NULL,
    source_address VARCHAR(64),
    code_id VARCHAR(40),
    code_mask VARCHAR(20),
    device_id VARCHAR(40),
    request_id VARCHAR(64),
    detail VARCHAR(500));

-- what builds from before migrations read: they refuse a schema newer than theirs
INSERT INTO meta (name, val) VALUES ('schema_version', '1');
