package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection, one transaction at a time (SQLite, and H2 in the tests).
 * <p>
 * Units of work run one at a time on one connection. SQLite allows one writer anyway, and serialising
 * in the process keeps the outcome of races (fifty devices on one code) decided by the database, not
 * by luck.
 * <p>
 * Group commit: the fsync of a commit costs far more than the SQL of a registration, so the units of
 * work that queue up while one commit is on its way are run together afterwards, each inside its own
 * savepoint (a unit that fails is rolled back alone), and committed with one fsync. No caller returns
 * before the commit that holds its work, so nothing is answered that is not on disk.
 */
final class SerialEngine implements Engine {
    /** Most units of work committed together. */
    private static final int MAX_BATCH = 256;

    private final Connection connection;
    private final Dialect dialect;
    private final ReentrantLock lock = new ReentrantLock();
    private final StatementCache statements;
    private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();

    /** A unit of work waiting for its commit. */
    private static final class Pending<T> {
        final Database.Work<T> work;
        T result;
        Throwable failure;
        volatile boolean done;

        Pending(Database.Work<T> work) {
            this.work = work;
        }
    }

    /**
     * @param connection an open connection, auto-commit off; the engine owns it from now on
     * @param dialect its dialect
     */
    SerialEngine(Connection connection, Dialect dialect) {
        this.connection = connection;
        this.dialect = dialect;
        this.statements = new StatementCache(connection, dialect);
    }

    @Override
    public <T> T transaction(Database.Work<T> work) {
        Pending<T> mine = new Pending<>(work);
        queue.add(mine);
        lock.lock();
        try {
            if (!mine.done) {
                runBatch();
            }
        } finally {
            lock.unlock();
        }
        return Database.outcome(mine.result, mine.failure);
    }

    /** Under the lock: run what is queued (ours among it) and commit it with one fsync. */
    private void runBatch() {
        List<Pending<?>> batch = new ArrayList<>();
        for (Pending<?> p; batch.size() < MAX_BATCH && (p = queue.poll()) != null;) {
            batch.add(p);
        }
        boolean single = batch.size() == 1;
        for (Pending<?> p : batch) {
            runOne(p, single);
        }
        try {
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            for (Pending<?> p : batch) {
                if (p.failure == null) {
                    p.failure = e;
                    p.result = null;
                }
            }
        }
        for (Pending<?> p : batch) {
            p.done = true;
        }
    }

    private <T> void runOne(Pending<T> p, boolean single) {
        Savepoint savepoint = null;
        try {
            if (!single) {
                savepoint = connection.setSavepoint();
            }
            p.result = p.work.run(new StoreTransaction(statements));
            if (savepoint != null) {
                connection.releaseSavepoint(savepoint);
            }
        } catch (SQLException | RuntimeException | Error e) {
            p.failure = e;
            try {
                if (savepoint != null) {
                    connection.rollback(savepoint);
                    connection.releaseSavepoint(savepoint);
                } else {
                    connection.rollback();
                }
            } catch (SQLException ignored) {
                // the work's own failure is what matters; the commit will tell if the connection broke
            }
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            statements.close();
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("Could not close the database: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
