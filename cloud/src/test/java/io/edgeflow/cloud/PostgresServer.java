package io.edgeflow.cloud;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.edgeflow.cloud.store.DatabaseUrl;

/**
 * One real PostgreSQL server for the test run: Debian's {@code postgresql} package (what {@code .ci/run}
 * installs), started on first use in a temporary directory, on 127.0.0.1 and a free port, with a password
 * (SCRAM) for TCP connections; stopped, that server only (by its data directory), when the JVM exits.
 * PostgreSQL refuses to run as root: as root, its programs run as the {@code postgres} user.
 * <p>
 * If it cannot start, the test that asked for it fails with the reason: nothing is skipped. Each cloud gets
 * a database of its own ({@link #newDatabase()}).
 * <p>
 * The run's engine: {@code -Dedgeflow.test.database=postgresql} (the surefire execution "postgresql") puts
 * every test cloud on it ({@link #forTestCloud()}); without it they use SQLite, as {@code serve} does.
 */
final class PostgresServer {
    /** The system property that selects the engine of the test clouds. */
    static final String ENGINE_PROPERTY = "edgeflow.test.database";
    static final String USER = "edgeflow";
    /** The database the test stores are schemas of. */
    static final String DATABASE = "edgeflow_tests";

    private static PostgresServer running;

    private final Path dir;
    private final Path data;
    private final Path bin;
    private final int port;
    private final String password;
    private final AtomicInteger databases = new AtomicInteger();
    private final Map<Path, String> stores = new ConcurrentHashMap<>();

    private PostgresServer(Path dir, Path bin, int port, String password) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.bin = bin;
        this.port = port;
        this.password = password;
    }

    /** @return true if this run's test clouds keep their store in PostgreSQL */
    static boolean selected() {
        String engine = System.getProperty(ENGINE_PROPERTY, "sqlite");
        if (!engine.equals("sqlite") && !engine.equals("postgresql")) {
            throw new IllegalStateException(ENGINE_PROPERTY + " must be sqlite or postgresql, not " + engine);
        }
        return engine.equals("postgresql");
    }

    /**
     * @param dataDir a test cloud's data directory
     * @return if this run is on PostgreSQL, the cloud's store there: a new one for a new data directory, the
     *         same one for a data directory seen before (a restart); else null (SQLite in the data directory)
     */
    static DatabaseUrl forTestCloud(Path dataDir) {
        String url = urlForTestCloud(dataDir);
        return url == null ? null : DatabaseUrl.parse(url);
    }

    /**
     * @param dataDir a test cloud's data directory
     * @return {@link #forTestCloud} as the URL a person gives {@code serve} (with the password), or null
     */
    static String urlForTestCloud(Path dataDir) {
        if (!selected()) {
            return null;
        }
        PostgresServer server = get();
        return server.stores.computeIfAbsent(dataDir.toAbsolutePath(), d -> server.newDatabase());
    }

    /** @return the server, started if it is not running yet */
    static synchronized PostgresServer get() {
        if (running == null) {
            try {
                running = start();
            } catch (IOException e) {
                throw new IllegalStateException("Cannot start the tests' PostgreSQL server: " + e.getMessage()
                        + " (it needs Debian's postgresql package: apt-get install postgresql; .ci/run installs it)",
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting PostgreSQL", e);
            }
        }
        return running;
    }

    /**
     * @return a URL, password included, of a new empty store on the server: a schema of its own in the
     *         database {@value #DATABASE} (far cheaper than a database per cloud)
     */
    String newDatabase() {
        String schema = "cloud_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbc(DATABASE), USER, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Cannot create schema " + schema + ": " + e.getMessage(), e);
        }
        return url(DATABASE) + "?currentSchema=" + schema;
    }

    /**
     * @param url a store's URL from {@link #newDatabase()}
     * @return every row of every table of the store, as PostgreSQL writes a row as text, one a line
     */
    String rowsAsText(String url) throws java.sql.SQLException {
        DatabaseUrl store = DatabaseUrl.parse(url);
        StringBuilder text = new StringBuilder();
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.user(), store.password());
                Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (java.sql.ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (java.sql.ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t")) {
                    while (rs.next()) {
                        text.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return text.toString();
    }

    /** @return the URL of a database on this server, with the password */
    String url(String database) {
        return "postgresql://" + USER + ":" + password + "@127.0.0.1:" + port + "/" + database;
    }

    private void createDatabase(String name) throws IOException {
        try (Connection c = DriverManager.getConnection(jdbc("postgres"), USER, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IOException("Cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    String jdbc(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    String password() {
        return password;
    }

    int port() {
        return port;
    }

    private static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("edgeflow-pg");
        String password = HexFormat.of().formatHex(randomBytes(12));
        Files.writeString(dir.resolve("pw"), password, StandardCharsets.UTF_8);
        if (asRoot()) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()), dir);
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        PostgresServer server = new PostgresServer(dir, bin, port, password);
        server.run(bin.resolve("initdb"), "-D", server.data.toString(), "-U", USER, "--pwfile=" + dir.resolve("pw"),
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync");
        Files.deleteIfExists(dir.resolve("pw"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postgresql-stop"));
        // fsync off: the tests do not cut the power; loopback only; pg_ctl -w returns once it accepts connections
        server.run(bin.resolve("pg_ctl"), "-D", server.data.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "120", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                        + " -c fsync=off -c full_page_writes=off -c max_connections=300",
                "start");
        server.createDatabase(DATABASE);
        return server;
    }

    /** Stops this server (by its data directory; immediate: its files are deleted next) and deletes its files. */
    private void stop() {
        try {
            run(bin.resolve("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        } catch (IOException | InterruptedException e) {
            System.err.println("Could not stop the tests' PostgreSQL server in " + dir + ": " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("Could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** @return the newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/N/bin) */
    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IOException("no " + root);
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IOException("no PostgreSQL under " + root));
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void run(Path program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(program.toString());
        command.addAll(List.of(args));
        run(command, dir);
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        Path output = Files.createTempFile("edgeflow-pg-command", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(Path.of("/tmp").toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 180 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
                        + Files.readString(output).strip() + serverLog(dir));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String serverLog(Path dir) throws IOException {
        Path log = dir.resolve("server.log");
        return Files.isReadable(log) ? "\nserver.log: " + Files.readString(log).strip() : "";
    }
}
