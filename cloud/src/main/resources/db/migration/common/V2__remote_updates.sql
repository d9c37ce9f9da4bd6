-- Schema 2: remote updates (issue 14): artifacts, their signatures, deployments and their devices.

CREATE TABLE artifacts (
    sha256 VARCHAR(64) PRIMARY KEY,
    symbolic_name VARCHAR(255) NOT NULL,
    version VARCHAR(128) NOT NULL,
    size BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL);

CREATE TABLE artifact_signatures (
    sha256 VARCHAR(64) NOT NULL,
    key_id VARCHAR(16) NOT NULL,
    public_key VARCHAR(100) NOT NULL,
    signature VARCHAR(100) NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (sha256, key_id));

CREATE TABLE deployments (
    id VARCHAR(40) PRIMARY KEY,
    state VARCHAR(16) NOT NULL,
    spec VARCHAR(100000) NOT NULL,
    current_wave BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL);

CREATE TABLE deployment_artifacts (
    deployment_id VARCHAR(40) NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    PRIMARY KEY (deployment_id, sha256));

CREATE INDEX deployment_artifacts_sha ON deployment_artifacts (sha256);

CREATE TABLE deployment_devices (
    deployment_id VARCHAR(40) NOT NULL,
    device_id VARCHAR(40) NOT NULL,
    wave BIGINT NOT NULL,
    state VARCHAR(16) NOT NULL,
    updated_at BIGINT NOT NULL,
    reason VARCHAR(1000),
    failed VARCHAR(4000),
    PRIMARY KEY (deployment_id, device_id));

CREATE INDEX deployment_devices_device ON deployment_devices (device_id);

UPDATE meta SET val = '2' WHERE name = 'schema_version';
