package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.StoreException;

/** Group commit: units of work share a commit, yet each one succeeds or rolls back on its own. */
class DatabaseTest {
    @TempDir
    Path dir;

    @Test
    void aFailingUnitRollsBackAloneWhileItsNeighboursCommit() throws Exception {
        try (Database db = Database.open(dir)) {
            int threads = 32;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads * 10; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        db.transaction(tx -> {
                            tx.putMeta("k" + n, "v" + n);
                            if (n % 7 == 0) {
                                throw new SQLException("unit " + n + " fails after writing");
                            }
                            if (n % 11 == 0) {
                                throw new IllegalStateException("unit " + n + " has a defect");
                            }
                            return null;
                        });
                        return true;
                    } catch (StoreException | IllegalStateException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < results.size(); i++) {
                boolean expected = i % 7 != 0 && i % 11 != 0;
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).as("unit " + i).isEqualTo(expected);
            }
            pool.shutdown();
            for (int i = 0; i < threads * 10; i++) {
                int n = i;
                String value = db.transaction(tx -> tx.meta("k" + n));
                assertThat(value).as("unit " + i).isEqualTo(i % 7 != 0 && i % 11 != 0 ? "v" + i : null);
            }
        }
    }

    @Test
    void committedWorkIsThereAfterReopening() throws Exception {
        try (Database db = Database.open(dir)) {
            db.transaction(tx -> {
                tx.putMeta("kept", "yes");
                return null;
            });
            assertThatThrownBy(() -> db.transaction(tx -> {
                tx.putMeta("lost", "yes");
                throw new SQLException("no");
            })).isInstanceOf(StoreException.class).hasMessageContaining("no");
        }
        try (Database db = Database.open(dir)) {
            String kept = db.transaction(tx -> tx.meta("kept"));
            String lost = db.transaction(tx -> tx.meta("lost"));
            assertThat(kept).isEqualTo("yes");
            assertThat(lost).isNull();
        }
    }
}
