-- The DDL of Schema.java (schema 2) as the cloud ran it before Flyway migrations, copied unchanged from commit
-- 2b2584a: MigrationTest writes databases with it as those builds left them (meta schema_version 1 or 2).
-- Statements before the '-- version 2' line are schema 1's.
CREATE TABLE IF NOT EXISTS meta ( name VARCHAR(64) PRIMARY KEY, val VARCHAR(512) NOT NULL);
CREATE TABLE IF NOT EXISTS admin_tokens ( id VARCHAR(40) PRIMARY KEY, token_hash VARCHAR(64) NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT);
CREATE TABLE IF NOT EXISTS provisioning_codes ( id VARCHAR(40) PRIMARY KEY, code_hash VARCHAR(64) NOT NULL UNIQUE, code_hint VARCHAR(8) NOT NULL, label VARCHAR(200), created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT, claim_device_id VARCHAR(40), claim_request_id VARCHAR(64), claim_until BIGINT, consumed_at BIGINT, version BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS devices ( id VARCHAR(40) PRIMARY KEY, code_id VARCHAR(40) NOT NULL, request_id VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, hardware VARCHAR(16384), network VARCHAR(16384), source_address VARCHAR(64), registered_at BIGINT NOT NULL, confirmed_at BIGINT, revoked_at BIGINT, updated_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS devices_code ON devices (code_id);
CREATE TABLE IF NOT EXISTS api_keys ( id VARCHAR(40) PRIMARY KEY, device_id VARCHAR(40) NOT NULL, key_hash VARCHAR(64) NOT NULL UNIQUE, key_hint VARCHAR(8) NOT NULL, status VARCHAR(16) NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, valid_until BIGINT, confirmed_at BIGINT, retired_at BIGINT);
CREATE INDEX IF NOT EXISTS api_keys_device ON api_keys (device_id);
CREATE TABLE IF NOT EXISTS audit_events ( id BIGINT PRIMARY KEY, at BIGINT NOT NULL, event VARCHAR(32) NOT NULL, result VARCHAR(32) NOT NULL, source_address VARCHAR(64), code_id VARCHAR(40), code_mask VARCHAR(20), device_id VARCHAR(40), request_id VARCHAR(64), detail VARCHAR(500));
-- version 2: remote updates
CREATE TABLE IF NOT EXISTS artifacts ( sha256 VARCHAR(64) PRIMARY KEY, symbolic_name VARCHAR(255) NOT NULL, version VARCHAR(128) NOT NULL, size BIGINT NOT NULL, uploaded_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS artifact_signatures ( sha256 VARCHAR(64) NOT NULL, key_id VARCHAR(16) NOT NULL, public_key VARCHAR(100) NOT NULL, signature VARCHAR(100) NOT NULL, added_at BIGINT NOT NULL, PRIMARY KEY (sha256, key_id));
CREATE TABLE IF NOT EXISTS deployments ( id VARCHAR(40) PRIMARY KEY, state VARCHAR(16) NOT NULL, spec VARCHAR(100000) NOT NULL, current_wave BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS deployment_artifacts ( deployment_id VARCHAR(40) NOT NULL, sha256 VARCHAR(64) NOT NULL, PRIMARY KEY (deployment_id, sha256));
CREATE INDEX IF NOT EXISTS deployment_artifacts_sha ON deployment_artifacts (sha256);
CREATE TABLE IF NOT EXISTS deployment_devices ( deployment_id VARCHAR(40) NOT NULL, device_id VARCHAR(40) NOT NULL, wave BIGINT NOT NULL, state VARCHAR(16) NOT NULL, updated_at BIGINT NOT NULL, reason VARCHAR(1000), failed VARCHAR(4000), PRIMARY KEY (deployment_id, device_id));
CREATE INDEX IF NOT EXISTS deployment_devices_device ON deployment_devices (device_id);
