package io.edgeflow.update.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.edgeflow.update.internal.DeploymentRecord.Failure;
import io.edgeflow.update.internal.DeploymentRecord.State;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health check after a deployment applied: asked again every 250 ms until everything that was healthy before is
 * healthy again (the deployment commits as {@code succeeded}), something is broken beyond waiting, or the deadline
 * passes (both roll back).
 * <p>
 * Threading: the engine's thread only; it waits through the {@link DeploymentThread}, so a stopping bundle ends it.
 *
 * @param records the deployments' records and their journal
 * @param health the health check
 * @param clock the clock of the records' times
 * @param thread the engine's thread (stop flag, waits)
 * @param restore the rollback
 */
record HealthGate(JournaledRecords records, Health health, Clock clock, DeploymentThread thread,
        BundleSetRestore restore) {
    private static final Logger LOG = LoggerFactory.getLogger(HealthGate.class);
    private static final Duration BETWEEN_CHECKS = Duration.ofMillis(250);

    /** @param r a deployment in {@code checking}, or null if it was rolled back already (nothing is done) */
    void check(DeploymentRecord r) {
        if (r == null) {
            return;
        }
        Instant deadline = clock.instant().plusSeconds(r.request().healthTimeoutSeconds());
        Health.Verdict verdict;
        while (true) {
            thread.checkNotStopped();
            verdict = health.check(r.baseline(), r.request().operations());
            if (verdict.healthy() || verdict.broken() || !clock.instant().isBefore(deadline)) {
                break;
            }
            thread.sleep(BETWEEN_CHECKS);
        }
        if (verdict.healthy()) {
            r = records.save(r.failedWith(State.SUCCEEDED, null, null, clock.instant()));
            LOG.info("Deployment {} succeeded: {}", r.id(), Operation.describe(r.request().operations()));
            records.ended(r);
            return;
        }
        Failure f = verdict.failure();
        String why = (verdict.broken() ? "health_check_failed: " : "health_check_timeout: after "
                + r.request().healthTimeoutSeconds() + " s: ") + Failure.describe(f);
        restore.rollBack(r, why, f);
    }
}
