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

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DatabaseUrl;
import io.edgeflow.cloud.store.StoreException;

/**
 * Transactions on both engines: on SQLite units of work share a commit (group commit), on PostgreSQL they
 * run side by side; either way each one succeeds or rolls back on its own, and what committed stays.
 */
class DatabaseTest {
    @TempDir
    Path dir;
    private String postgresql;

    private Database open(String engine) throws Exception {
        if (engine.equals("sqlite")) {
            return Database.open(dir);
        }
        if (postgresql == null) {
            postgresql = PostgresServer.get().newDatabase();
        }
        return Database.open(DatabaseUrl.parse(postgresql));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aFailingUnitRollsBackAloneWhileItsNeighboursCommit(String engine) throws Exception {
        try (Database db = open(engine)) {
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

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void committedWorkIsThereAfterReopening(String engine) throws Exception {
        try (Database db = open(engine)) {
            db.transaction(tx -> {
                tx.putMeta("kept", "yes");
                return null;
            });
            assertThatThrownBy(() -> db.transaction(tx -> {
                tx.putMeta("lost", "yes");
                throw new SQLException("no");
            })).isInstanceOf(StoreException.class).hasMessageContaining("no");
        }
        try (Database db = open(engine)) {
            String kept = db.transaction(tx -> tx.meta("kept"));
            String lost = db.transaction(tx -> tx.meta("lost"));
            assertThat(kept).isEqualTo("yes");
            assertThat(lost).isNull();
        }
    }

    /**
     * Read, then write what was read plus one, from 24 threads at once: every unit counts. On PostgreSQL
     * the units run side by side and collide (serialization failures); they are run again, not lost, and
     * none answers before its own write is committed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void readModifyWriteUnitsRacingOnOneRowAllCount(String engine) throws Exception {
        try (Database db = open(engine)) {
            db.transaction(tx -> {
                tx.putMeta("counter", "0");
                return null;
            });
            int threads = 24;
            int each = 10;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        db.transaction(tx -> {
                            long n = Long.parseLong(tx.meta("counter"));
                            tx.putMeta("counter", Long.toString(n + 1));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(db.<String>transaction(tx -> tx.meta("counter"))).isEqualTo(Integer.toString(threads * each));
        }
    }
}
