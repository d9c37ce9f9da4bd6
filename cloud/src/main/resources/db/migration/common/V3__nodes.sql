-- Schema 3: several cloud nodes on one database (issue 16). Each node heartbeats its row; each device's
-- tunnel presence names the node holding it (node_id NULL: offline). Rows a single node never writes:
-- a cloud of one node keeps presence in memory, as before.

CREATE TABLE cloud_nodes (
    node_id VARCHAR(64) PRIMARY KEY,
    url VARCHAR(512) NOT NULL,
    heartbeat_at BIGINT NOT NULL);

CREATE TABLE device_presence (
    device_id VARCHAR(64) PRIMARY KEY,
    node_id VARCHAR(64),
    connected_at BIGINT,
    last_heartbeat_at BIGINT,
    disconnected_at BIGINT,
    remote_address VARCHAR(128));

CREATE INDEX device_presence_node ON device_presence (node_id);


-- Failed provisioning-code attempts and lockouts per source address (an IPv6 /64), counted by every
-- node together: an address locked out on one node is locked out on all.
CREATE TABLE failed_code_attempts (
    address_key VARCHAR(64) NOT NULL,
    at BIGINT NOT NULL);

CREATE INDEX failed_code_attempts_address ON failed_code_attempts (address_key, at);

CREATE TABLE address_lockouts (
    address_key VARCHAR(64) PRIMARY KEY,
    locked_until BIGINT NOT NULL);

UPDATE meta SET val = '3' WHERE name = 'schema_version';
