-- Schema 4: the dashboard's sign-in sessions in the store the nodes share (issue 16), so a browser signed in
-- through one node is signed in on all, and signing out on one signs out on all. Only the SHA-256 of the
-- session cookie is kept: the table holds nothing a browser could present. A single node keeps its sessions
-- in memory, as before, and never writes these rows.

CREATE TABLE dashboard_sessions (
    id_hash VARCHAR(64) PRIMARY KEY,
    signed_in_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL);

CREATE INDEX dashboard_sessions_last_seen ON dashboard_sessions (last_seen_at);

UPDATE meta SET val = '4' WHERE name = 'schema_version';
