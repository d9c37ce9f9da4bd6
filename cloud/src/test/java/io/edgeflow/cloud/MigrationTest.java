package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.provisioning.RegistrationRequest;
import io.edgeflow.cloud.store.ArtifactRecord;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;

/**
 * A cloud.db written before versioned migrations (by Schema.java's DDL, kept in
 * store/schema-before-migrations.sql) is migrated in place: baselined at the version its meta row records,
 * its rows kept, the newer migrations applied. A database from a newer cloud is refused.
 */
class MigrationTest {
    @TempDir
    Path dir;

    /** Writes cloud.db as a build from before migrations left it, at schema 1 or 2, with one code and one event. */
    private void oldDatabase(int schema) throws Exception {
        List<String> statements = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/store/schema-before-migrations.sql")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("-- version 2") && schema < 2) {
                    break;
                }
                if (!line.startsWith("--") && !line.isBlank()) {
                    statements.add(line.substring(0, line.lastIndexOf(';')));
                }
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Database.FILE_NAME));
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            s.execute("INSERT INTO meta (name, val) VALUES ('schema_version', '" + schema + "')");
            s.execute("INSERT INTO provisioning_codes (id, code_hash, code_hint, label, created_at, expires_at, version)"
                    + " VALUES ('code_old', 'hash-old', 'C3D4', 'from the old build', 1000, "
                    + (System.currentTimeMillis() + 3_600_000) + ", 0)");
            s.execute("INSERT INTO audit_events (id, at, event, result) VALUES (41, 1000, 'code_created', 'ok')");
        }
    }

    private List<String> history() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Database.FILE_NAME));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, type, success FROM flyway_schema_history"
                        + " ORDER BY installed_rank")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3));
            }
        }
        return rows;
    }

    @Test
    void aSchema2DatabaseIsBaselinedAndKeepsItsRows() throws Exception {
        oldDatabase(2);
        try (Database db = Database.open(dir)) {
            assertThat(db.description()).endsWith("schema 4 (2 migrations applied, baselined at 2)");
            Optional<CodeRecord> old = db.transaction(tx -> tx.findCode("code_old"));
            assertThat(old).get().extracting(CodeRecord::label).isEqualTo("from the old build");
            db.transaction(tx -> {
                tx.audit(new AuditEvent(0, 2000, "code_revoked", "ok", null, "code_old", null, null, null, null));
                return null;
            });
            List<AuditEvent> events = db.transaction(tx -> tx.listAudit(0, 10));
            assertThat(events).extracting(AuditEvent::id).containsExactly(42L, 41L);
        }
        assertThat(history()).containsExactly("2 BASELINE 1", "3 SQL 1", "4 SQL 1");
        try (Database db = Database.open(dir)) {
            assertThat(db.description()).endsWith("schema 4 (0 migrations applied)");
        }
    }

    @Test
    void aSchema1DatabaseGetsTheRemoteUpdateTablesAndServesAsBefore() throws Exception {
        oldDatabase(1);
        try (Database db = Database.open(dir)) {
            assertThat(db.description()).endsWith("schema 4 (3 migrations applied, baselined at 1)");
            db.transaction(tx -> {
                tx.insertArtifact(new ArtifactRecord("a".repeat(64), "com.example.b", "1.0.0", 10, 3000, List.of()));
                return null;
            });
            List<ArtifactRecord> artifacts = db.transaction(tx -> tx.listArtifacts(10));
            assertThat(artifacts).hasSize(1);
            String version = db.transaction(tx -> tx.meta("schema_version"));
            assertThat(version).isEqualTo("4");

            ProvisioningService service = new ProvisioningService(db, CloudSettings.DEFAULTS,
                    new MutableClock(TestCloud.START), new SecureRandom(), new byte[32]);
            String code = service.createCode(3600L, "after the upgrade", "admin").code().value();
            IssuedKey key = service.register(RegistrationRequest.from(TestCloud.JSON.valueToTree(
                    TestCloud.registration(code, UUID.randomUUID().toString()))), "127.0.0.1");
            assertThat(service.confirm(key.deviceId(), key.apiKey(), "127.0.0.1").device().status())
                    .isEqualTo("active");
            Optional<CodeRecord> old = db.transaction(tx -> tx.findCode("code_old"));
            assertThat(old).isPresent();
        }
        assertThat(history()).containsExactly("1 BASELINE 1", "2 SQL 1", "3 SQL 1", "4 SQL 1");
    }

    @Test
    void aNewDatabaseRunsEveryMigration() throws Exception {
        try (Database db = Database.open(dir)) {
            assertThat(db.description()).startsWith("SQLite " + dir.resolve(Database.FILE_NAME).toAbsolutePath())
                    .endsWith("schema 4 (4 migrations applied)");
            String version = db.transaction(tx -> tx.meta("schema_version"));
            assertThat(version).isEqualTo("4");
        }
        assertThat(history()).containsExactly("1 SQL 1", "2 SQL 1", "3 SQL 1", "4 SQL 1");
    }

    @Test
    void aDatabaseFromANewerCloudIsRefused() throws Exception {
        Database.open(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Database.FILE_NAME));
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) VALUES (5, '5', 'from the future', 'SQL',"
                    + " 'V5__from_the_future.sql', 0, 'a newer cloud', 1, 1)");
        }
        assertThatThrownBy(() -> Database.open(dir)).isInstanceOf(SQLException.class)
                .hasMessage("The database was written by a newer EdgeFlow cloud (schema 5); this one understands"
                        + " schema 4.");
    }
}
