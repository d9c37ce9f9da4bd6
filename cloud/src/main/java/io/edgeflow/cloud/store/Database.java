package io.edgeflow.cloud.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;

import io.edgeflow.cloud.FilePermissions;

/**
 * The cloud's database, on one of two engines with the same schema, transactions and guarantees:
 * <ul>
 * <li>SQLite (the default): one embedded file, {@code <data-dir>/cloud.db}, one connection, units of work
 * one at a time with group commit ({@link SerialEngine}). The journal is a write-ahead log with
 * {@code synchronous=FULL}: a commit that returned is on disk, so an answer sent after it survives a
 * SIGKILL or a power cut.</li>
 * <li>PostgreSQL ({@link #open(DatabaseUrl)}): a HikariCP pool, SERIALIZABLE transactions side by side,
 * serialization failures run again ({@link PooledEngine}).</li>
 * </ul>
 * Either way: a race on a code has one winner, and no caller returns before the commit that holds its
 * work, so nothing is answered that is not committed, and work that failed is rolled back.
 * <p>
 * The schema is Flyway's versioned migrations ({@link Migrations}); the SQL ({@link StoreTransaction}) is
 * kept to what SQLite, H2 and PostgreSQL all accept, the differences in {@link Dialect}.
 */
public final class Database implements AutoCloseable {
    /** File name of the database inside the data directory. */
    public static final String FILE_NAME = "cloud.db";
    /** Connections in a PostgreSQL store's pool. */
    public static final int POOL_SIZE = 16;

    private final Engine engine;
    private final String description;
    /** Where a PostgreSQL store is (for the revocation listener's own connection); null on SQLite. */
    private final DatabaseUrl shared;
    private final List<RevocationListener> listeners = new CopyOnWriteArrayList<>();

    private Database(Engine engine, String description, DatabaseUrl shared) {
        this.engine = engine;
        this.description = description;
        this.shared = shared;
    }

    /**
     * Opens (creating if needed) the SQLite database in a data directory and brings its schema up to date.
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
     * ({@link #open(Path)}) or PostgreSQL ({@link #open(DatabaseUrl)}); the tests also run the store on H2
     * in PostgreSQL mode, to keep its SQL portable.
     *
     * @param jdbcUrl the URL, credentials included if it needs any; its driver must be on the class path
     * @return the open database
     * @throws SQLException if it cannot be opened
     */
    public static Database open(String jdbcUrl) throws SQLException {
        Dialect dialect = Dialect.of(jdbcUrl);
        if (dialect.concurrent()) {
            return open(new DatabaseUrl(jdbcUrl, null, null));
        }
        String migrated;
        try (HikariDataSource once = pool(jdbcUrl, null, null, 2)) {
            migrated = Migrations.apply(dialect, once);
        }
        Connection connection = DriverManager.getConnection(jdbcUrl);
        try {
            if (dialect == Dialect.SQLITE) {
                try (Statement s = connection.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=FULL");
                    s.execute("PRAGMA busy_timeout=10000");
                    s.execute("PRAGMA foreign_keys=ON");
                }
            }
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        String where = dialect == Dialect.SQLITE ? jdbcUrl.substring("jdbc:sqlite:".length()) : jdbcUrl;
        return new Database(new SerialEngine(connection, dialect), dialect.displayName() + " " + where + ", "
                + migrated, null);
    }

    /**
     * Opens a PostgreSQL store through a pool of {@value #POOL_SIZE} connections and brings its schema up to
     * date (several clouds may do so at once: Flyway locks the schema history).
     *
     * @param url where it is
     * @return the open database
     * @throws SQLException if it cannot be reached or migrated; the message names the URL without its password
     */
    public static Database open(DatabaseUrl url) throws SQLException {
        HikariDataSource pool;
        try {
            pool = pool(url.jdbcUrl(), url.user(), url.password(), POOL_SIZE);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            // the caller names the URL (without its password); the driver's message never holds the password
            throw new SQLException("cannot connect: " + cause.getMessage(), e);
        }
        try {
            String migrated = Migrations.apply(Dialect.POSTGRESQL, pool);
            return new Database(new PooledEngine(pool), "PostgreSQL " + url + " (pool of " + POOL_SIZE
                    + " connections, serializable), " + migrated, url);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static HikariDataSource pool(String jdbcUrl, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(size, 2));
        config.setAutoCommit(false);
        config.setPoolName("edgeflow-store");
        config.setConnectionTimeout(Duration.ofSeconds(30).toMillis());
        if (Dialect.POSTGRESQL.equals(dialectOrNull(jdbcUrl))) {
            config.setTransactionIsolation("TRANSACTION_SERIALIZABLE");
        }
        return new HikariDataSource(config);
    }

    private static Dialect dialectOrNull(String jdbcUrl) {
        try {
            return Dialect.of(jdbcUrl);
        } catch (SQLException e) {
            return null;
        }
    }

    /** @return the engine, where it is and the schema, for the start log line; never a password */
    public String description() {
        return description;
    }

    /**
     * A unit of work inside one transaction. On PostgreSQL it may run more than once (a serialization
     * failure runs it again): it reads and writes rows and acts outside the database only on what it returns.
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
     * Runs work in a transaction and returns once that transaction is committed; rolls the work back if
     * it throws anything. On SQLite, work queued by other threads at the same time may share the
     * transaction (and its fsync), each inside its own savepoint.
     *
     * @param <T> the result type
     * @param work the work
     * @return what the work returned
     * @throws StoreException if the database failed, or the work threw an {@link SQLException}
     */
    public <T> T transaction(Work<T> work) {
        return engine.transaction(work);
    }

    /** What a unit of work comes to for its caller: its result, or its failure thrown. */
    static <T> T outcome(T result, Throwable failure) {
        if (failure instanceof SQLException e) {
            throw new StoreException("Database failure: " + e.getMessage(), e);
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return result;
    }

    /**
     * Hears the devices revoked by any cloud on this store, this one included ({@link
     * StoreTransaction#announceRevocation}), until the database is closed. On SQLite this process is the whole
     * cloud and nothing is heard.
     *
     * @param listener called with each revoked Device ID, on a thread of the store's
     */
    public void onRevocation(Consumer<String> listener) {
        if (shared != null) {
            listeners.add(new RevocationListener(shared, listener));
        }
    }

    @Override
    public void close() {
        for (RevocationListener l : listeners) {
            l.close();
        }
        engine.close();
    }
}
