package io.edgeflow.update.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusReporterTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);

    @AfterEach
    void stop() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A report the cloud refuses for good (here 404: the deployment is gone) is sent once, never again. */
    @Test
    void aRefusedReportIsSettledNotRetried() throws Exception {
        Cloud cloud = reporting((id, state) -> {
            if (state.equals("checking")) {
                throw new Cloud.Refused(404);
            }
        });
        StatusReporter reporter = new StatusReporter(cloud, scheduler, this::acknowledge,
                Duration.ofMillis(1));
        reporter.submit(record("checking"));
        reporter.submit(record("succeeded"));
        awaitEmptyQueue();
        assertThat(sent).containsExactly("checking", "succeeded");
        assertThat(acknowledged).containsExactly("checking", "succeeded");
    }

    /** A report that fails for now (the cloud down, a 503) is sent again until the cloud takes it. */
    @Test
    void aFailedReportIsRetried() throws Exception {
        Cloud cloud = reporting((id, state) -> {
            if (sent.size() < 3) {
                throw new IOException("the cloud answered 503");
            }
        });
        StatusReporter reporter = new StatusReporter(cloud, scheduler, this::acknowledge,
                Duration.ofMillis(1));
        reporter.submit(record("succeeded"));
        awaitEmptyQueue();
        assertThat(sent).containsExactly("succeeded", "succeeded", "succeeded");
        assertThat(acknowledged).containsExactly("succeeded");
    }

    @Test
    void onlyAnswersThatCanNeverChangeAreFinal() {
        assertThat(List.of(400, 404, 409, 410, 422)).allMatch(Cloud.Refused::isFinal);
        assertThat(List.of(401, 403, 408, 429, 500, 502, 503)).noneMatch(Cloud.Refused::isFinal);
    }

    private interface Answer {
        void answer(String id, String state) throws IOException;
    }

    private Cloud reporting(Answer answer) {
        return new Cloud() {
            @Override
            public void download(Operation op, java.nio.file.Path part, long maxBytes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void report(String deploymentId, Map<String, Object> status) throws IOException {
                String state = (String) status.get("state");
                sent.add(state);
                answer.answer(deploymentId, state);
            }
        };
    }

    private void acknowledge(String id, String state) {
        acknowledged.add(state);
        if (state.equals("succeeded")) {
            settled.countDown();
        }
    }

    private void awaitEmptyQueue() throws InterruptedException {
        assertThat(settled.await(10, TimeUnit.SECONDS)).as("the last state settled within 10 s").isTrue();
    }

    private static DeploymentRecord record(String state) {
        return DeploymentRecord.accepted(new DeploymentRequest("d1", 60, List.of()), java.time.Instant.now())
                .withState(DeploymentRecord.State.ofWire(state), java.time.Instant.now());
    }
}
