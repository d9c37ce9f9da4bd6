package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Transactions side by side on a pool of connections (PostgreSQL), each SERIALIZABLE: the outcome is one
 * that running them one after another could have given, so a race on a code still has one winner. A
 * transaction that loses such a race (serialization failure, deadlock) is rolled back and its work run
 * again from the start, on a fresh snapshot; the caller sees only the run that committed. Its work must
 * therefore not act outside the database, which holds for every unit of work of the cloud (they read and
 * write rows, and what they decide is acted on after the commit).
 * <p>
 * Each commit returns once the server has it on disk (PostgreSQL's default {@code synchronous_commit});
 * the server groups the flushes of concurrent commits itself.
 */
final class PooledEngine implements Engine {
    /** Runs of one unit of work before a serialization failure is given up and reported. */
    static final int ATTEMPTS = 30;

    private final HikariDataSource pool;

    /** @param pool the pool, set to SERIALIZABLE and auto-commit off; the engine owns it from now on */
    PooledEngine(HikariDataSource pool) {
        this.pool = pool;
    }

    @Override
    public <T> T transaction(Database.Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return Database.outcome(runOnce(work), null);
            } catch (SQLException e) {
                if (!Dialect.retryable(e) || attempt >= ATTEMPTS) {
                    return Database.outcome(null, e);
                }
                backOff(attempt);
            }
        }
    }

    private <T> T runOnce(Database.Work<T> work) throws SQLException {
        try (Connection connection = pool.getConnection();
                StatementCache session = new StatementCache(connection, Dialect.POSTGRESQL)) {
            try {
                T result = work.run(new StoreTransaction(session));
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the work's own failure is what matters; the pool drops a broken connection
                }
                throw e;
            }
        }
    }

    /** Spreads the next run of transactions that collided, so they do not collide again in step. */
    private static void backOff(int attempt) {
        long micros = ThreadLocalRandom.current().nextLong(100, 1000L * Math.min(attempt, 10));
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    public void close() {
        pool.close();
    }
}
