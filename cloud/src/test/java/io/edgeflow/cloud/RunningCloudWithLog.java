package io.edgeflow.cloud;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link RunningCloud}, and what the cloud logs during each test ({@link #log}), for tests that read it. */
abstract class RunningCloudWithLog extends RunningCloud {
    LogCapture log;

    @BeforeEach
    void captureLog() {
        log = new LogCapture();
    }

    @AfterEach
    void releaseLog() {
        log.close();
    }
}
