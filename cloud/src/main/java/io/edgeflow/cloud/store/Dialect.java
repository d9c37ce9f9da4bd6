package io.edgeflow.cloud.store;

import java.sql.SQLException;
import java.util.List;

/**
 * The differences between the engines, all in one place. The rest of the SQL (the *Rows classes and the
 * migrations under {@code db/migration/common}) is what SQLite, H2 and PostgreSQL all accept.
 */
enum Dialect {
    /** The embedded default: one file, one writer at a time (group commit on one connection). */
    SQLITE("SQLite", false),
    /** Tests only: H2 in PostgreSQL mode keeps the shared SQL honest. */
    H2("H2", false),
    /** A shared server: pooled connections, transactions side by side (SERIALIZABLE). */
    POSTGRESQL("PostgreSQL", true);

    /** SQLSTATEs of a transaction that lost a race with another and may simply run again. */
    private static final List<String> RETRYABLE = List.of("40001", "40P01");

    private final String displayName;
    private final boolean concurrent;

    Dialect(String displayName, boolean concurrent) {
        this.displayName = displayName;
        this.concurrent = concurrent;
    }

    /**
     * @param jdbcUrl a JDBC URL
     * @return its dialect
     * @throws SQLException if no engine of ours speaks it
     */
    static Dialect of(String jdbcUrl) throws SQLException {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new SQLException("Unsupported database URL: only SQLite, PostgreSQL (and H2 in tests) are supported");
    }

    /** @return the engine's name, for the start log line */
    String displayName() {
        return displayName;
    }

    /** @return true if transactions run side by side (a pool), false if one at a time (one connection) */
    boolean concurrent() {
        return concurrent;
    }

    /** @return where Flyway finds this engine's migrations: the shared ones, then the engine's own */
    String[] migrationLocations() {
        return this == POSTGRESQL
                ? new String[] {"classpath:db/migration/common", "classpath:db/migration/postgresql"}
                : new String[] {"classpath:db/migration/common"};
    }

    /**
     * @return a query answering the next audit event identifier. One writer at a time: MAX + 1, read inside
     *         the transaction. Side by side: a sequence (V2_1), as MAX + 1 would make every two audited
     *         transactions conflict.
     */
    String nextAuditIdQuery() {
        return this == POSTGRESQL ? "SELECT nextval('audit_events_id')"
                : "SELECT COALESCE(MAX(id), 0) + 1 FROM audit_events";
    }

    /**
     * @return statements to run after rows were copied in with their identifiers (copy-database): the
     *         sequence continues after the last audit event
     */
    List<String> afterCopy() {
        return this == POSTGRESQL
                ? List.of("SELECT setval('audit_events_id', (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_events), false)")
                : List.of();
    }

    /**
     * @return a statement that tells every cloud on the store, once the transaction commits, that the device
     *         (its one parameter) was revoked; null where one process is the whole cloud (SQLite)
     */
    String revocationNotice() {
        return this == POSTGRESQL ? "SELECT pg_notify('" + REVOCATIONS + "', ?)" : null;
    }

    /** The PostgreSQL notification channel of revocations. */
    static final String REVOCATIONS = "edgeflow_device_revoked";

    /**
     * @param e a failure
     * @return true if it is a serialization failure or deadlock: the transaction may run again
     */
    static boolean retryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && RETRYABLE.contains(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
