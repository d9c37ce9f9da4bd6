package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.CliTest.Run;
import io.edgeflow.cloud.cli.Cli;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.provisioning.RegistrationRequest;
import io.edgeflow.cloud.server.DataDirectory;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DatabaseUrl;

/** copy-database: a SQLite cloud into an empty PostgreSQL database, whole, and only into an empty one. */
class CopyDatabaseTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(TestCloud.START);

    private ProvisioningService service(Database db) {
        return new ProvisioningService(db, CloudSettings.DEFAULTS, clock, new SecureRandom(), new byte[32]);
    }

    private static RegistrationRequest request(String code) throws Exception {
        return RegistrationRequest.from(TestCloud.JSON.valueToTree(TestCloud.registration(code,
                UUID.randomUUID().toString())));
    }

    @Test
    void aSqliteCloudCopiedIntoPostgresqlServesItsDevicesAndCodes() throws Exception {
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        IssuedKey device;
        String unused;
        List<AuditEvent> trail;
        try (Database sqlite = Database.open(data)) {
            ProvisioningService s = service(sqlite);
            device = s.register(request(s.createCode(3600L, "used", "admin").code().value()), "127.0.0.1");
            s.confirm(device.deviceId(), device.apiKey(), "127.0.0.1");
            unused = s.createCode(3600L, "not yet used", "admin").code().value();
            trail = s.audit(0, 100);
        }
        PostgresServer pg = PostgresServer.get();
        String url = pg.newDatabase();

        Run copy = CliTest.cli(Map.of(), "copy-database", "--data-dir", data.toString(), "--to", url);
        assertThat(copy.status()).as(copy.err()).isEqualTo(Cli.OK);
        assertThat(copy.out()).contains("Copied SQLite " + data.resolve(Database.FILE_NAME).toAbsolutePath())
                .contains("into PostgreSQL postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.port())
                .contains("  provisioning_codes: 2 rows").contains("  devices: 1 row").contains("  api_keys: 1 row")
                .contains("  audit_events: " + trail.size() + " rows").doesNotContain(pg.password());

        try (Database postgresql = Database.open(DatabaseUrl.parse(url))) {
            ProvisioningService s = service(postgresql);
            assertThat(s.authenticate(device.deviceId(), device.apiKey()).device().status()).isEqualTo("active");
            assertThat(s.audit(0, 100)).isEqualTo(trail);
            IssuedKey second = s.register(request(unused), "127.0.0.1");
            assertThat(second.deviceId()).isNotEqualTo(device.deviceId());
            List<AuditEvent> after = s.audit(0, 1);
            assertThat(after.get(0).id()).as("the audit sequence continues after the copied events")
                    .isGreaterThan(trail.get(0).id());
        }

        Run again = CliTest.cli(Map.of(), "copy-database", "--data-dir", data.toString(), "--to", url);
        assertThat(again.status()).isEqualTo(Cli.REFUSED);
        assertThat(again.err()).contains("error: the target database holds a cloud already (provisioning_codes has 2"
                + " rows); copy into an empty one").doesNotContain(pg.password());
    }

    @Test
    void aRunningCloudOrAMissingStoreIsNotCopied() throws Exception {
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        Database.open(data).close();
        String url = PostgresServer.get().newDatabase();
        try (DataDirectory running = new DataDirectory(data)) {
            Run copy = CliTest.cli(Map.of(), "copy-database", "--data-dir", data.toString(), "--to", url);
            assertThat(copy.status()).isEqualTo(Cli.REFUSED);
            assertThat(copy.err()).contains("Another EdgeFlow cloud server is using the data directory");
        }
        Run none = CliTest.cli(Map.of(), "copy-database", "--data-dir", dir.resolve("empty").toString(), "--to", url);
        assertThat(none.status()).isEqualTo(Cli.REFUSED);
        assertThat(none.err()).contains("no cloud.db in");
        Run noTarget = CliTest.cli(Map.of(), "copy-database", "--data-dir", data.toString());
        assertThat(noTarget.status()).isEqualTo(Cli.USAGE);
        assertThat(noTarget.err()).contains("--to names the PostgreSQL database");
        assertThatThrownBy(() -> DatabaseUrl.parse("sqlite:/x")).isInstanceOf(IllegalArgumentException.class);
    }
}
