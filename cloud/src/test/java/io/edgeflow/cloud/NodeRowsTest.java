package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.NodeRow;
import io.edgeflow.cloud.store.PresenceRow;

/**
 * The nodes' shared presence in the store (SQLite, H2 and a real PostgreSQL): a node changes only the rows that name it, a dead node's devices go
 * offline when any node cleans up, and a device that moved to another node stays online there.
 */
class NodeRowsTest {
    @TempDir
    Path dir;

    private Database open(String engine) throws Exception {
        Database db = switch (engine) {
            case "sqlite" -> Database.open(dir);
            case "h2-postgresql" -> Database.open("jdbc:h2:" + dir.resolve("h2").toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
            case "postgresql" -> Database.open(io.edgeflow.cloud.store.DatabaseUrl.parse(
                    PostgresServer.get().newDatabase()));
            default -> throw new IllegalArgumentException(engine);
        };
        return db;
    }

    private static boolean closed(Database db, String deviceId, String nodeId, long at, Long beat) {
        Boolean changed = db.transaction(tx -> tx.nodes().closed(deviceId, nodeId, at, beat));
        return changed;
    }

    private static java.util.List<String> liveNodes(Database db, long since) {
        java.util.List<NodeRow> nodes = db.transaction(tx -> tx.nodes().liveNodes(since));
        return nodes.stream().map(NodeRow::nodeId).toList();
    }

    private static PresenceRow presence(Database db, String deviceId) {
        return db.transaction(tx -> tx.nodes().presence(deviceId)).orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2-postgresql", "postgresql"})
    void aDeviceThatMovedIsNotMarkedOfflineByTheNodeItLeft(String engine) throws Exception {
        try (Database db = open(engine)) {
            db.transaction(tx -> {
                tx.nodes().heartbeat("a", "https://10.0.0.1:8443", 1000);
                tx.nodes().heartbeat("b", "https://10.0.0.2:8443", 1000);
                tx.nodes().opened("dev_1", "a", 1000, null, "192.0.2.7");
                return null;
            });
            assertThat(presence(db, "dev_1")).isEqualTo(
                    new PresenceRow("dev_1", "a", "https://10.0.0.1:8443", 1000L, null, null, "192.0.2.7"));
            // the device reconnects through b before a noticed its old tunnel is gone
            db.transaction(tx -> {
                tx.nodes().opened("dev_1", "b", 2000, null, "192.0.2.8");
                tx.nodes().heartbeats("a", Map.of("dev_1", 2500L));
                return null;
            });
            assertThat(closed(db, "dev_1", "a", 3000, 2500L)).isFalse();
            PresenceRow p = presence(db, "dev_1");
            assertThat(p.nodeId()).isEqualTo("b");
            assertThat(p.nodeUrl()).isEqualTo("https://10.0.0.2:8443");
            assertThat(p.lastHeartbeatAt()).as("a's heartbeat for a row it no longer holds is ignored").isNull();
            db.transaction(tx -> {
                tx.nodes().heartbeats("b", Map.of("dev_1", 3500L));
                return null;
            });
            assertThat(closed(db, "dev_1", "b", 4000, 3600L)).isTrue();
            assertThat(presence(db, "dev_1")).isEqualTo(
                    new PresenceRow("dev_1", null, null, null, 3600L, 4000L, null));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2-postgresql", "postgresql"})
    void aNodeThatStoppedHeartbeatingIsCleanedUpWithItsDevices(String engine) throws Exception {
        try (Database db = open(engine)) {
            db.transaction(tx -> {
                tx.nodes().heartbeat("a", "https://10.0.0.1:8443", 1000);
                tx.nodes().heartbeat("b", "https://10.0.0.2:8443", 1000);
                tx.nodes().opened("dev_1", "a", 1000, 900L, "192.0.2.7");
                tx.nodes().opened("dev_2", "b", 1000, null, "192.0.2.8");
                tx.nodes().heartbeat("b", "https://10.0.0.2:8443", 60_000);
                return null;
            });
            assertThat(liveNodes(db, 30_000)).containsExactly("b");
            // b cleans up at 91 s with a 90 s timeout: a's heartbeat (1 s) is older than 1 s
            Integer offline = db.transaction(tx -> tx.nodes().removeDeadNodes(91_000 - 90_000 + 1, 91_000));
            assertThat(offline).isEqualTo(1);
            assertThat(presence(db, "dev_1")).isEqualTo(
                    new PresenceRow("dev_1", null, null, null, 900L, 91_000L, null));
            assertThat(presence(db, "dev_2").nodeId()).isEqualTo("b");
            assertThat(liveNodes(db, 0)).containsExactly("b");
            // a restarted under its id forgets nothing of b's, and comes back
            db.transaction(tx -> {
                tx.nodes().removeNode("a", 92_000);
                tx.nodes().heartbeat("a", "https://10.0.0.1:8443", 92_000);
                return null;
            });
            assertThat(liveNodes(db, 0)).containsExactly("a", "b");
            assertThat(presence(db, "dev_2").nodeId()).isEqualTo("b");
            java.util.Optional<PresenceRow> never = db.transaction(tx -> tx.nodes().presence("dev_never"));
            assertThat(never).isEmpty();
        }
    }
}
