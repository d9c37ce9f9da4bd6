package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.store.DatabaseUrl;

/**
 * Two clouds on one PostgreSQL store, each with its own copy of the data directory's keys (what several
 * nodes share): a device revoked through one loses its tunnel on the other.
 */
class SeveralNodesTest {
    @TempDir
    Path dir;

    /** Node B's data directory: node A's keys, CA, certificate and admin token, a lock of its own. */
    private Path copyOfKeys(Path from) throws Exception {
        Path to = dir.resolve("b");
        Files.createDirectories(to);
        for (String name : List.of("code-hash.key", "ca.pem", "ca-key.pem", "server.pem", "server-key.pem",
            "admin-token")) {
            Files.copy(from.resolve(name), to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return to;
    }

    @Test
    void aDeviceRevokedThroughOneNodeLosesItsTunnelOnTheOther() throws Exception {
        DatabaseUrl store = DatabaseUrl.parse(PostgresServer.get().newDatabase());
        try (TestCloud a = new TestCloud(dir.resolve("a"), store);
                TestCloud b = new TestCloud(copyOfKeys(dir.resolve("a")), store)) {
            Answer d = a.provisionDevice();
            String id = d.text("device_id");
            try (SimulatedDevice device = SimulatedDevice.connect(b, id, d.text("api_key"))) {
                device.next("hello");
                assertThat(b.server.tunnels().presence(id).online()).isTrue();
                assertThat(a.admin("DELETE", "/api/v1/admin/devices/" + id, null).status()).isEqualTo(200);
                assertThat(device.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4401 device revoked by an operator");
            }
            Eventually.until("node B shows the device offline", Duration.ofSeconds(10),
                    () -> !b.server.tunnels().presence(id).online());
        }
    }
}
