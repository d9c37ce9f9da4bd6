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
 * Every unit of work runs as one transaction on one connection, one at a time. SQLite allows one
 * writer anyway, and serialising in the process keeps transactions short and the outcome of races
 * (fifty devices on one code) decided by the database, not by luck. The journal is a write-ahead log
 * with {@code synchronous=FULL}: a transaction whose commit returned is on disk, so an answer sent
 * after it survives a SIGKILL or a power cut.
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
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=10000");
            s.execute("PRAGMA foreign_keys=ON");
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

    /**
     * Runs work in a transaction and commits it; rolls back if the work throws anything.
     *
     * @param <T> the result type
     * @param work the work
     * @return what the work returned
     * @throws StoreException if the database failed
     */
    public <T> T transaction(Work<T> work) {
        lock.lock();
        try {
            boolean done = false;
            try {
                T result = work.run(new StoreTransaction(this));
                connection.commit();
                done = true;
                return result;
            } finally {
                if (!done) {
                    rollbackQuietly();
                }
            }
        } catch (SQLException e) {
            throw new StoreException("Database failure: " + e.getMessage(), e);
        } finally {
            lock.unlock();
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
