package io.edgeflow.cloud;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.provisioning.CloudSettings;

/**
 * A cloud of its own for every test, with the shipped settings ({@link CloudSettings#DEFAULTS}: the real
 * brute-force limits), in a fresh temporary data directory: for tests whose counts must start at zero.
 */
abstract class FreshCloudPerTest {
    @TempDir
    Path dir;
    TestCloud cloud;

    @BeforeEach
    void startCloud() throws Exception {
        cloud = new TestCloud(dir.resolve("data"), CloudSettings.DEFAULTS);
    }

    @AfterEach
    void stopCloud() {
        cloud.close();
    }
}
