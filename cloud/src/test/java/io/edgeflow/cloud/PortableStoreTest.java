package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.edgeflow.cloud.provisioning.AuthenticatedDevice;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.provisioning.RegistrationRequest;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DatabaseUrl;

/**
 * The provisioning rules run unchanged on SQLite (the default), on a real PostgreSQL server and on H2 in
 * PostgreSQL mode: the store's SQL stays portable.
 */
class PortableStoreTest {
    @TempDir
    Path dir;

    private Database open(String engine) throws Exception {
        return switch (engine) {
            case "sqlite" -> Database.open(dir);
            case "postgresql" -> Database.open(DatabaseUrl.parse(PostgresServer.get().newDatabase()));
            case "h2-postgresql" -> Database.open("jdbc:h2:" + dir.resolve("h2").toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
            default -> throw new IllegalArgumentException(engine);
        };
    }

    private static RegistrationRequest request(String code, String requestId) throws Exception {
        return RegistrationRequest.from(TestCloud.JSON.valueToTree(TestCloud.registration(code, requestId)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql", "h2-postgresql"})
    void theWholeProtocolRunsOnTheEngine(String engine) throws Exception {
        MutableClock clock = new MutableClock(TestCloud.START);
        try (Database db = open(engine)) {
            ProvisioningService s = new ProvisioningService(db, CloudSettings.DEFAULTS, clock, new SecureRandom(),
                    new byte[32]);
            String code = s.createCode(3600L, "portable", "admin").code().value();
            String requestId = UUID.randomUUID().toString();
            IssuedKey first = s.register(request(code, requestId), "127.0.0.1");
            IssuedKey retry = s.register(request(code, requestId), "127.0.0.1");
            assertThat(retry.deviceId()).isEqualTo(first.deviceId());
            assertThatThrownBy(() -> s.register(request(code, UUID.randomUUID().toString()), "127.0.0.1"))
                    .isInstanceOf(CloudError.class).hasFieldOrPropertyWithValue("code", "code_in_use");
            assertThatThrownBy(() -> s.confirm(first.deviceId(), first.apiKey(), "127.0.0.1"))
                    .hasFieldOrPropertyWithValue("code", "invalid_credentials");
            AuthenticatedDevice confirmed = s.confirm(retry.deviceId(), retry.apiKey(), "127.0.0.1");
            assertThat(confirmed.device().status()).isEqualTo("active");
            assertThat(s.listCodes(10)).extracting(c -> c.state(clock.millis())).containsExactly(CodeRecord.State.CONSUMED);

            IssuedKey rotated = s.rotateKey(retry.deviceId(), retry.apiKey(), "127.0.0.1");
            clock.advance(Duration.ofHours(25));
            assertThatThrownBy(() -> s.authenticate(retry.deviceId(), retry.apiKey()))
                    .hasFieldOrPropertyWithValue("code", "invalid_credentials");
            assertThat(s.authenticate(rotated.deviceId(), rotated.apiKey()).key().status()).isEqualTo("pending");

            String other = s.createCode(null, null, "admin").code().value();
            IssuedKey second = s.register(request(other, UUID.randomUUID().toString()), "127.0.0.1");
            clock.advance(Duration.ofMinutes(11));
            IssuedKey third = s.register(request(other, UUID.randomUUID().toString()), "127.0.0.1");
            assertThat(third.deviceId()).isNotEqualTo(second.deviceId());
            assertThat(s.device(second.deviceId()).device().status()).isEqualTo("lapsed");

            s.revokeDevice(rotated.deviceId(), "admin");
            assertThatThrownBy(() -> s.authenticate(rotated.deviceId(), rotated.apiKey()))
                    .hasMessageContaining("revoked");
            assertThat(s.listDevices(10)).hasSize(3);
            List<AuditEvent> audit = s.audit(0, 100);
            assertThat(audit).extracting(AuditEvent::event).contains("code_created", "registration", "confirmation",
                    "key_rotation", "device_revoked");
            assertThat(audit.get(0).id()).isGreaterThan(audit.get(1).id());
        }
    }
}
