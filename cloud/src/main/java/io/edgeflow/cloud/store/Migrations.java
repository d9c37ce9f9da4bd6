package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a database's schema up to date with Flyway's versioned migrations ({@code db/migration/common},
 * then the engine's own folder), on SQLite and PostgreSQL alike.
 * <p>
 * A database written before migrations (no {@code flyway_schema_history}, its {@code meta} row
 * {@code schema_version} saying 1 or 2) is baselined at that version and migrated in place from there.
 */
final class Migrations {
    /** The newest schema version this build knows (the last file under db/migration/common). */
    static final String LATEST = "4";

    private Migrations() {
    }

    /**
     * @param dialect the engine
     * @param source where to connect; Flyway takes and returns connections of its own
     * @return what was done, for the start log line: "schema 2 (2 migrations applied)"
     * @throws SQLException if a migration failed, or the database was written by a newer build
     */
    static String apply(Dialect dialect, DataSource source) throws SQLException {
        String before = versionBeforeMigrations(source);
        Flyway flyway = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(source)
                .locations(dialect.migrationLocations())
                .baselineOnMigrate(before != null)
                .baselineVersion(before != null ? before : "1")
                .baselineDescription("database from before migrations")
                .load();
        try {
            for (MigrationInfo applied : flyway.info().applied()) {
                if (applied.getState() == MigrationState.FUTURE_SUCCESS
                        || applied.getState() == MigrationState.FUTURE_FAILED) {
                    throw new SQLException("The database was written by a newer EdgeFlow cloud (schema "
                            + applied.getVersion() + "); this one understands schema " + LATEST + ".");
                }
            }
            MigrateResult result = flyway.migrate();
            String now = result.targetSchemaVersion != null ? result.targetSchemaVersion
                    : flyway.info().current().getVersion().getVersion();
            return "schema " + now + " (" + result.migrationsExecuted + " migration"
                    + (result.migrationsExecuted == 1 ? "" : "s") + " applied"
                    + (before != null ? ", baselined at " + before : "") + ")";
        } catch (FlywayException e) {
            throw new SQLException("Could not migrate the database schema: " + e.getMessage(), e);
        }
    }

    /**
     * @return the schema version a database from before migrations records in {@code meta}, or null if it
     *         has none (empty, or already under Flyway)
     */
    private static String versionBeforeMigrations(DataSource source) throws SQLException {
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(true);
            if (hasTable(c, "flyway_schema_history") || !hasTable(c, "meta")) {
                return null;
            }
            try (PreparedStatement s = c.prepareStatement("SELECT val FROM meta WHERE name = 'schema_version'");
                    ResultSet rs = s.executeQuery()) {
                // the row was written with the tables; without it they can only be schema 1's
                return rs.next() ? rs.getString(1) : "1";
            }
        }
    }

    private static boolean hasTable(Connection c, String name) throws SQLException {
        for (String candidate : new String[] {name, name.toUpperCase(java.util.Locale.ROOT)}) {
            try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), candidate, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }
}
