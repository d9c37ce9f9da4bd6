package io.edgeflow.cloud.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import io.edgeflow.cloud.FilePermissions;

/**
 * The cloud's database: one embedded SQLite file, {@code <data-dir>/cloud.db}, opened through JDBC.
 * <p>
 * Units of work run one at a time on one connection. SQLite allows one writer anyway, and serialising
 * in the process keeps the outcome of races (fifty devices on one code) decided by the database, not
 * by luck. The journal is a write-ahead log with {@code synchronous=FULL}: a commit that returned is on
 * disk, so an answer sent after it survives a SIGKILL or a power cut.
 * <p>
 * Group commit: the fsync of a commit costs far more than the SQL of a registration, so the units of
 * work that queue up while one commit is on its way are run together afterwards, each inside its own
 * savepoint (a unit that fails is rolled back alone), and committed with one fsync. No caller returns
 * before the commit that holds its work, so nothing is answered that is not on disk.
 * <p>
 * The SQL itself ({@link StoreTransaction}) is kept to what SQLite, H2 and PostgreSQL all accept.
 */
public final class Database implements AutoCloseable {
    /** File name of the database inside the data directory. */
    public static final String FILE_NAME = "cloud.db";

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private Database(Connection connection) {
        this.connection = connection;
    }

    /**
     * Opens (creating if needed) the database in a data directory and brings its schema up to date.
     *
     * @param dataDir the data directory
     * @return the open database
     * @throws IOException if the file cannot be created
     * @throws SQLException if the database cannot be opened
     */
    public static Database open(Path dataDir) throws IOException, SQLException {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            // Created empty with 0600 first: SQLite gives its -wal and -shm files the same mode.
            FilePermissions.createPrivateFile(file);
        }
        return open("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /**
     * Opens a database by JDBC URL and brings its schema up to date. The server uses SQLite
     * ({@link #open(Path)}); the tests also run the store on H2 in PostgreSQL mode, to keep its SQL
     * portable.
     *
     * @param jdbcUrl the URL; its driver must be on the class path
     * @return the open database
     * @throws SQLException if it cannot be opened
     */
    public static Database open(String jdbcUrl) throws SQLException {
        Connection connection = DriverManager.getConnection(jdbcUrl);
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA foreign_keys=ON");
            }
        }
        connection.setAutoCommit(false);
        Database db = new Database(connection);
        db.transaction(Schema::apply);
        return db;
    }

    /**
     * A unit of work inside one transaction.
     *
     * @param <T> what it returns
     */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * @param tx the transaction
         * @return the result
         * @throws SQLException on a database failure: the transaction is rolled back
         */
        T run(StoreTransaction tx) throws SQLException;
    }

    /** Most units of work committed together. */
    private static final int MAX_BATCH = 256;

    private final java.util.concurrent.ConcurrentLinkedQueue<Pending<?>> queue =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** A unit of work waiting for its commit. */
    private static final class Pending<T> {
        final Work<T> work;
        T result;
        Throwable failure;
        volatile boolean done;

        Pending(Work<T> work) {
            this.work = work;
        }
    }

    /**
     * Runs work in a transaction and returns once that transaction is committed; rolls the work back if
     * it throws anything. Work queued by other threads at the same time may share the transaction (and
     * its fsync), each inside its own savepoint.
     *
     * @param <T> the result type
     * @param work the work
     * @return what the work returned
     * @throws StoreException if the database failed, or the work threw an {@link SQLException}
     */
    public <T> T transaction(Work<T> work) {
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
        if (mine.failure instanceof SQLException e) {
            throw new StoreException("Database failure: " + e.getMessage(), e);
        }
        if (mine.failure instanceof RuntimeException e) {
            throw e;
        }
        if (mine.failure instanceof Error e) {
            throw e;
        }
        return mine.result;
    }

    /** Under the lock: run what is queued (ours among it) and commit it with one fsync. */
    private void runBatch() {
        java.util.List<Pending<?>> batch = new java.util.ArrayList<>();
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
        java.sql.Savepoint savepoint = null;
        try {
            if (!single) {
                savepoint = connection.setSavepoint();
            }
            p.result = p.work.run(new StoreTransaction(this));
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

    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        statement.clearParameters();
        return statement;
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            for (PreparedStatement statement : statements.values()) {
                statement.close();
            }
            statements.clear();
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("Could not close the database: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
