package io.edgeflow.update.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

import io.edgeflow.update.internal.DeploymentRecord.State;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs deployments (docs/updates-device.md): {@link ArtifactFetch} downloads and verifies, {@link BundleSetApply}
 * saves the previous set, applies and refreshes, {@link HealthGate} checks and commits, {@link BundleSetRestore} rolls
 * back. Every step is journaled by the {@link JournaledRecords} before it is taken, so that {@link #recover()} after
 * a restart (a kill -9, a power cut, the update bundle's own update) either completes the check and commits or
 * rolls back.
 * <p>
 * Threading: all deployment work runs on the one thread of the executor given to the constructor, one deployment at
 * a time; {@link #accept}, {@link #records} and {@link #record} may be called from any thread and only touch the
 * in-memory records under the {@link JournaledRecords}' lock. Reports to the cloud go through the
 * {@link StatusReporter}, which has its own thread and hands acknowledgements back to the engine's thread
 * ({@link #reported}).
 */
final class DeploymentEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentEngine.class);

    private final JournaledRecords records;
    private final TrustedKeys keys;
    private final ExecutorService executor;
    private final ArtifactFetch fetch;
    private final BundleSetApply apply;
    private final HealthGate gate;
    private final BundleSetRestore restore;

    /** Waits between two health checks; a seam so that unit tests do not wait. */
    @FunctionalInterface
    interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    DeploymentEngine(Journal journal, Bundles bundles, Health health, Cloud cloud, TrustedKeys keys,
            long maxArtifactBytes, Clock clock, ExecutorService executor, Pause pause) {
        this.records = new JournaledRecords(journal, clock);
        this.keys = keys;
        this.executor = executor;
        DeploymentThread thread = new DeploymentThread(executor, pause);
        this.fetch = new ArtifactFetch(records, bundles, cloud, new ArtifactVerifier(keys, maxArtifactBytes),
                maxArtifactBytes, clock, thread);
        this.restore = new BundleSetRestore(records, bundles, clock);
        this.gate = new HealthGate(records, health, clock, thread, restore);
        this.apply = new BundleSetApply(records, bundles, health, clock, restore, gate);
    }

    /** @param statusReporter where state changes go; set once before {@link #recover()} */
    void reportTo(StatusReporter statusReporter) {
        records.reportTo(statusReporter);
    }

    /** The answer to {@code POST /api/v1/deployments}. */
    enum Outcome {
        /** 202: accepted, the work goes on in the background */
        ACCEPTED,
        /** 200: this id is known already; nothing is done again */
        KNOWN,
        /** 409: another deployment is running */
        IN_PROGRESS,
        /** 403: no trusted key is configured */
        DISABLED
    }

    /**
     * @param outcome what happened
     * @param record the record to show (the new one, or the known one), or null
     * @param running the id of the deployment that is running, for 409
     */
    record Acceptance(Outcome outcome, DeploymentRecord record, String running) {
    }

    /**
     * Takes a deployment from the cloud: journals it and starts it in the background.
     *
     * @param request the checked request
     * @return what was done
     * @throws IOException if the journal cannot be written (nothing is started)
     */
    Acceptance accept(DeploymentRequest request) throws IOException {
        Acceptance acceptance = records.admit(request, keys.isEmpty());
        if (acceptance.outcome() != Outcome.ACCEPTED) {
            return acceptance;
        }
        DeploymentRecord record = acceptance.record();
        LOG.info("Deployment {} accepted: {}", record.id(), Operation.describe(request.operations()));
        records.report(record);
        executor.execute(() -> run(record));
        return acceptance;
    }

    /** @return the last {@link Journal#KEPT} records, newest first */
    List<DeploymentRecord> records() {
        return records.records();
    }

    /** @return the record of that id, if known */
    Optional<DeploymentRecord> record(String id) {
        return records.record(id);
    }

    /**
     * Reads the journal and, on the engine's thread, finishes what a restart interrupted: a download starts again
     * (resumed), an apply is rolled back, a health check is completed, a rollback goes on; every record whose state
     * the cloud has not acknowledged is reported again.
     */
    void recover() {
        for (DeploymentRecord r : records.load()) {
            if (!r.state().isEnd()) {
                LOG.info("Deployment {} was {} when the update bundle stopped: {}", r.id(), r.state().wireName(),
                        r.rollingBack() ? "the rollback goes on" : switch (r.state()) {
                            case DOWNLOADING, VERIFYING -> "downloading again";
                            case APPLYING -> "rolling back";
                            default -> "completing the health check";
                        });
                executor.execute(() -> resume(r));
            } else if (r.needsReport()) {
                records.report(r);
            }
        }
    }

    private void resume(DeploymentRecord r) {
        try {
            if (r.rollingBack()) {
                restore.rollBack(r, r.reason(), r.failed());
            } else if (r.state() == State.APPLYING) {
                restore.rollBack(r, "interrupted: the agent stopped while applying", null);
            } else if (r.state() == State.CHECKING) {
                gate.check(apply.startExpected(r));
            } else {
                run(r);
            }
        } catch (DeploymentThread.Stop e) {
            LOG.debug("Deployment {}: stopped ({})", r.id(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Deployment {}: unexpected failure: {}", r.id(), e.toString(), e);
        }
    }

    /** Download, verify, apply: the whole deployment, on the engine's thread. */
    private void run(DeploymentRecord accepted) {
        DeploymentRecord r = accepted;
        try {
            r = fetch.download(r);
            if (r.state().isEnd()) {
                return;
            }
            r = fetch.verify(r);
            if (r.state().isEnd()) {
                return;
            }
            apply.apply(r);
        } catch (DeploymentThread.Stop e) {
            LOG.debug("Deployment {}: stopped ({})", r.id(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Deployment {}: unexpected failure: {}", r.id(), e.toString(), e);
        }
    }

    /** Called by the reporter (any thread) when the cloud acknowledged a state. */
    void reported(String id, String wireState) {
        executor.execute(() -> records.acknowledge(id, wireState));
    }

    /** @return a consumer for the journal's warnings */
    static Consumer<String> warnings() {
        return message -> LOG.warn("{}", message);
    }
}
