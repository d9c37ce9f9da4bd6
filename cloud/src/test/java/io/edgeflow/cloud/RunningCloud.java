package io.edgeflow.cloud;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared set-up of the tests that talk to one cloud with the default settings: the server starts once
 * per test class in a fresh temporary data directory ({@code dir/data}) and stops after its last test.
 * Test classes run one after another (no parallel execution is configured), so the static fields belong to
 * the class that is running.
 */
abstract class RunningCloud {
    @TempDir
    static Path dir;
    static TestCloud cloud;

    @BeforeAll
    static void startCloud() throws Exception {
        cloud = new TestCloud(dir.resolve("data"));
    }

    @AfterAll
    static void stopCloud() {
        cloud.close();
    }
}
