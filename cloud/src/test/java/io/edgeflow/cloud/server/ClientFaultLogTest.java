package io.edgeflow.cloud.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.LogCapture;

/** A flood of client faults costs one line per kind per interval, and what a client sent stays on one line. */
class ClientFaultLogTest {
    private final AtomicLong now = new AtomicLong();
    private final ClientFaultLog faults = new ClientFaultLog(Duration.ofMinutes(1), now::get);

    @Test
    void oneLinePerKindPerIntervalThenTheCountOfThoseLeftOut() {
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 1000; i++) {
                faults.warn("slow-body", "from {}", "127.0.0.2");
            }
            faults.warn("aborted-body", "from {}", "127.0.0.3");
            assertThat(log.linesWith("slow-body")).hasSize(1);
            assertThat(log.linesWith("aborted-body")).hasSize(1);

            now.addAndGet(Duration.ofSeconds(61).toNanos());
            faults.warn("slow-body", "from {}", "127.0.0.4");
            assertThat(log.linesWith("slow-body")).hasSize(2).last().satisfies(l -> assertThat(l)
                    .contains("WARN").contains("from 127.0.0.4").contains("999 more of this kind"));
        }
    }

    @Test
    void controlCharactersAndExceptionsAreWrittenAsText() {
        try (LogCapture log = new LogCapture()) {
            faults.warn("malformed-body", "{} {}", "/api/v1/x\r\nWARN forged line", new IOException("boom\nat x"));
            assertThat(log.lines()).hasSize(1);
            assertThat(log.text()).contains("/api/v1/x\\u000d\\u000aWARN forged line").contains("boom\\u000aat x");
            assertThat(log.hasStackTrace()).isFalse();
        }
    }
}
