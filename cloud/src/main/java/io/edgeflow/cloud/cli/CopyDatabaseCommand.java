package io.edgeflow.cloud.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.edgeflow.cloud.server.DataDirectory;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DatabaseCopy;
import io.edgeflow.cloud.store.DatabaseUrl;
import io.edgeflow.cloud.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code copy-database}: copies a stopped SQLite cloud into an empty PostgreSQL database, in one transaction.
 * It holds the data directory's lock meanwhile, so no server runs on it during the copy.
 */
@Command(name = "copy-database", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Copies a stopped cloud's SQLite store (cloud.db in its data directory) into an empty",
            "PostgreSQL database, in one transaction. Then serve with the same --data-dir (its code hash key, CA,",
            "admin token and artifacts stay there) and --database."})
final class CopyDatabaseCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "the cloud's data directory (default $EDGEFLOW_CLOUD_DATA_DIR, else ./" + Cli.DEFAULT_DATA_DIR
                    + ")")
    String dataDir;
    @Option(names = "--to", paramLabel = "URL",
            description = {"the PostgreSQL database: postgresql://user:password@host:5432/database",
                "(default $" + ServeCommand.DATABASE_URL_ENV + ")"})
    String to;

    CopyDatabaseCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        String url = to != null ? to : terminal.env.get(ServeCommand.DATABASE_URL_ENV);
        if (url == null || url.isBlank()) {
            throw new UsageException("--to names the PostgreSQL database to copy into (or set "
                    + ServeCommand.DATABASE_URL_ENV + ")");
        }
        DatabaseUrl target;
        try {
            target = DatabaseUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new UsageException((to != null ? "--to: " : ServeCommand.DATABASE_URL_ENV + ": ") + e.getMessage());
        }
        Path dir = ClientOptions.dataDir(dataDir, terminal.env).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve(Database.FILE_NAME))) {
            terminal.err.println("error: no " + Database.FILE_NAME + " in " + dir + ": nothing to copy (--data-dir?)");
            return Cli.REFUSED;
        }
        try (DataDirectory locked = new DataDirectory(dir);
                Database from = Database.open(dir);
                Database into = open(target)) {
            Map<String, Long> rows = DatabaseCopy.copy(from, into);
            terminal.out.println("Copied " + from.description());
            terminal.out.println("  into " + into.description() + ":");
            rows.forEach((table, n) -> terminal.out.println("  " + table + ": " + n + (n == 1 ? " row" : " rows")));
            terminal.out.println("Serve it with: serve --data-dir " + dir + " --database " + target
                    + "  (the password as in --to)");
            return Cli.OK;
        } catch (java.io.IOException | java.sql.SQLException e) {
            terminal.err.println("error: " + e.getMessage());
            return Cli.REFUSED;
        } catch (StoreException e) {
            // the copy's own refusal or the database's error, without the "Database failure" wrapper
            terminal.err.println("error: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            return Cli.REFUSED;
        }
    }

    private static Database open(DatabaseUrl target) throws java.sql.SQLException {
        try {
            return Database.open(target);
        } catch (java.sql.SQLException e) {
            throw new java.sql.SQLException("cannot open " + target + ": " + e.getMessage(), e);
        }
    }
}
