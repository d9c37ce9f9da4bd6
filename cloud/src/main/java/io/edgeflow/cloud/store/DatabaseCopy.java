package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies every row of one cloud's store into another, empty one (copy-database: a SQLite cloud into
 * PostgreSQL). Both are at the same schema (each was migrated when opened). The target is written in one
 * transaction: either the whole cloud is there afterwards, or nothing is.
 */
public final class DatabaseCopy {
    /** The tables, parents before children; every one the migrations create. */
    static final List<String> TABLES = List.of("meta", "admin_tokens", "provisioning_codes", "devices", "api_keys",
            "audit_events", "artifacts", "artifact_signatures", "deployments", "deployment_artifacts",
            "deployment_devices");
    /** Rows sent to the server at once. */
    private static final int BATCH = 500;

    private DatabaseCopy() {
    }

    /**
     * @param from the cloud to copy (it should be stopped: its data directory is locked by the caller)
     * @param to an empty store
     * @return rows copied per table, in copy order
     * @throws StoreException if the target is not empty (nothing is written then), or the copy failed
     */
    public static Map<String, Long> copy(Database from, Database to) {
        return from.transaction(source -> to.transaction(target -> {
            refuseIfNotEmpty(target.connection());
            Map<String, Long> counts = new LinkedHashMap<>();
            for (String table : TABLES) {
                counts.put(table, copyTable(source.connection(), target.connection(), table));
            }
            try (Statement s = target.connection().createStatement()) {
                for (String sql : target.dialect().afterCopy()) {
                    s.execute(sql);
                }
            }
            return counts;
        }));
    }

    private static void refuseIfNotEmpty(Connection target) throws SQLException {
        for (String table : TABLES) {
            // the target's own migrations wrote its schema_version row; everything else must be absent
            String where = table.equals("meta") ? " WHERE name <> 'schema_version'" : "";
            try (Statement s = target.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table + where)) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw new SQLException("the target database holds a cloud already (" + table + " has "
                            + rs.getLong(1) + (rs.getLong(1) == 1 ? " row" : " rows") + "); copy into an empty one");
                }
            }
        }
    }

    private static long copyTable(Connection source, Connection target, String table) throws SQLException {
        String where = table.equals("meta") ? " WHERE name <> 'schema_version'" : "";
        try (Statement read = source.createStatement();
                ResultSet rs = read.executeQuery("SELECT * FROM " + table + where)) {
            ResultSetMetaData columns = rs.getMetaData();
            List<String> names = new ArrayList<>();
            List<Boolean> numeric = new ArrayList<>();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                names.add(columns.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
            }
            numeric.addAll(numericColumns(target, table, names));
            String sql = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", java.util.Collections.nCopies(names.size(), "?")) + ")";
            long rows = 0;
            try (PreparedStatement write = target.prepareStatement(sql)) {
                while (rs.next()) {
                    for (int i = 1; i <= names.size(); i++) {
                        if (numeric.get(i - 1)) {
                            long value = rs.getLong(i);
                            if (rs.wasNull()) {
                                write.setNull(i, Types.BIGINT);
                            } else {
                                write.setLong(i, value);
                            }
                        } else {
                            write.setString(i, rs.getString(i));
                        }
                    }
                    write.addBatch();
                    if (++rows % BATCH == 0) {
                        write.executeBatch();
                    }
                }
                write.executeBatch();
            }
            return rows;
        }
    }

    /** @return for each column, true if the target stores it as a number (BIGINT), false for text */
    private static List<Boolean> numericColumns(Connection target, String table, List<String> names)
            throws SQLException {
        List<Boolean> numeric = new ArrayList<>();
        try (Statement s = target.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + String.join(", ", names) + " FROM " + table + " WHERE 1 = 0")) {
            ResultSetMetaData columns = rs.getMetaData();
            for (int i = 1; i <= names.size(); i++) {
                int type = columns.getColumnType(i);
                numeric.add(type == Types.BIGINT || type == Types.INTEGER || type == Types.SMALLINT);
            }
        }
        return numeric;
    }
}
