package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.CliTest.Run;
import io.edgeflow.cloud.cli.Cli;
import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.store.DatabaseUrl;

/**
 * Choosing PostgreSQL: the URL's forms, the start line that names the engine, and the password kept out of
 * every line printed, whether the server starts or not.
 */
class PostgresStoreTest {
    @TempDir
    Path dir;

    @Test
    void theUrlBecomesAJdbcUrlWithTheCredentialsApart() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://cloud:s3cr%40t@db.example.com:6432/edgeflow?sslmode=require");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6432/edgeflow?sslmode=require");
        assertThat(url.user()).isEqualTo("cloud");
        assertThat(url.password()).isEqualTo("s3cr@t");
        assertThat(url).hasToString("postgresql://cloud@db.example.com:6432/edgeflow");

        DatabaseUrl plain = DatabaseUrl.parse("postgres://localhost/edgeflow");
        assertThat(plain.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/edgeflow");
        assertThat(plain.user()).isNull();
        assertThat(plain.password()).isNull();
    }

    @Test
    void aWrongUrlIsNamedWithoutRepeatingIt() {
        for (String wrong : new String[] {"mysql://u:hunter2@h/db", "postgresql://u:hunter2@/db",
            "postgresql://u:hunter2@h", "postgresql://u:hunter2@h/a/b", "postgresql://u@h/db?password=hunter2",
            "postgresql://u:hunter2@h:x/db"}) {
            assertThatThrownBy(() -> DatabaseUrl.parse(wrong)).as(wrong).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("hunter2").hasMessageContaining("database");
        }
    }

    @Test
    void serveNamesTheEngineAndNeverThePassword() throws Exception {
        PostgresServer pg = PostgresServer.get();
        DatabaseUrl url = DatabaseUrl.parse(pg.newDatabase());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (CloudServer server = CloudServer.start(ServerConfig.ephemeral(dir.resolve("data")).withDatabase(url),
                Clock.systemUTC(), new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String out = printed.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("Database: PostgreSQL postgresql://" + PostgresServer.USER + "@127.0.0.1:"
                    + pg.port() + "/" + PostgresServer.DATABASE + " (pool of 16 connections, serializable),"
                    + " schema 4 (5 migrations applied)").doesNotContain(pg.password());
            assertThat(Files.exists(dir.resolve("data").resolve("cloud.db"))).as("no SQLite file").isFalse();
        }
    }

    @Test
    void aWrongPasswordFailsTheStartClearlyWithoutPrintingIt() {
        PostgresServer pg = PostgresServer.get();
        String wrong = "not-" + pg.password();
        String url = pg.url(PostgresServer.DATABASE).replace(pg.password(), wrong);
        assertThatThrownBy(() -> CloudServer.start(ServerConfig.ephemeral(dir.resolve("data"))
                .withDatabase(DatabaseUrl.parse(url)), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot open the database postgresql://" + PostgresServer.USER + "@127.0.0.1:")
                .hasMessageContaining("password authentication failed")
                .hasMessageNotContaining(wrong);

        Run run = CliTest.cli(Map.of("EDGEFLOW_CLOUD_DATABASE_URL", url), "serve", "--port", "0", "--data-dir",
                dir.resolve("cli").toString());
        assertThat(run.status()).isNotEqualTo(Cli.OK);
        assertThat(run.err()).contains("password authentication failed").doesNotContain(wrong);
        assertThat(run.out()).doesNotContain(wrong);
    }

    @Test
    void serveRefusesAWrongDatabaseOptionAsAUsageError() {
        Run run = CliTest.cli(Map.of(), "serve", "--database", "mysql://u:hunter2@h/db", "--data-dir",
                dir.resolve("x").toString());
        assertThat(run.status()).isEqualTo(Cli.USAGE);
        assertThat(run.err()).contains("--database: the database URL must start with postgresql://")
                .doesNotContain("hunter2");
        Run env = CliTest.cli(Map.of("EDGEFLOW_CLOUD_DATABASE_URL", "postgresql://u:hunter2@h"), "serve",
                "--data-dir", dir.resolve("y").toString());
        assertThat(env.status()).isEqualTo(Cli.USAGE);
        assertThat(env.err()).contains("EDGEFLOW_CLOUD_DATABASE_URL: the database URL names no database")
                .doesNotContain("hunter2");
    }
}
