package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.edgeflow.update.internal.DeploymentRecord.Failure;
import io.edgeflow.update.internal.DeploymentRecord.SavedBundle;
import io.edgeflow.update.internal.DeploymentRecord.State;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step that changes the device: saves a copy of each bundle the deployment touches, applies every operation
 * (the update bundle's own last), refreshes, starts what should run, and hands the deployment to the
 * {@link HealthGate}. A failure on the way rolls back through the {@link BundleSetRestore}.
 * <p>
 * Threading: the engine's thread only; when the update bundle itself is updated or refreshed, the last step runs on
 * a detached thread of {@link Bundles#detached} and the next activation of this component completes the check.
 *
 * @param records the deployments' records and their journal
 * @param bundles the framework's bundles
 * @param health the health check
 * @param clock the clock of the records' times
 * @param restore the rollback
 * @param gate the health check after applying
 */
record BundleSetApply(JournaledRecords records, Bundles bundles, Health health, Clock clock, BundleSetRestore restore,
        HealthGate gate) {
    private static final Logger LOG = LoggerFactory.getLogger(BundleSetApply.class);
    /** Location prefix of bundles a deployment installs. */
    static final String LOCATION_PREFIX = "edgeflow-update:";

    /** Saves the previous set, applies every operation (the update bundle's own last), refreshes, checks. */
    void apply(DeploymentRecord r) {
        Journal journal = records.journal();
        List<SavedBundle> previous = new ArrayList<>();
        try {
            Path saved = journal.savedDir(r.id());
            for (Operation op : r.request().operations()) {
                Optional<Bundles.Installed> installed = bundles.find(op.symbolicName());
                if (installed.isEmpty()) {
                    previous.add(new SavedBundle(op.symbolicName(), false, null, null, null, false));
                    continue;
                }
                String copy = op.symbolicName() + "-" + installed.get().version() + ".jar";
                bundles.saveCopy(op.symbolicName(), saved.resolve(copy));
                previous.add(new SavedBundle(op.symbolicName(), true, installed.get().location(),
                        installed.get().version(), copy, installed.get().active()));
            }
            Journal.syncDirectory(saved);
        } catch (IOException e) {
            records.fail(r, "storage_error: the current bundles could not be saved: " + e.getMessage());
            return;
        }
        r = records.save(r.withPrevious(previous, health.baseline()).withState(State.APPLYING, clock.instant()));
        LOG.info("Deployment {}: applying {}", r.id(), Operation.describe(r.request().operations()));
        String self = bundles.self();
        Operation selfOp = null;
        Set<String> affected = new LinkedHashSet<>();
        for (Operation op : r.request().operations()) {
            affected.add(op.symbolicName());
            if (op.symbolicName().equals(self)) {
                selfOp = op; // last: updating itself stops this component
                continue;
            }
            try {
                switch (op.action()) {
                    case INSTALL -> bundles.install(LOCATION_PREFIX + op.symbolicName(), journal.artifact(op));
                    case UPDATE -> bundles.update(op.symbolicName(), journal.artifact(op));
                    case UNINSTALL -> bundles.uninstall(op.symbolicName());
                }
            } catch (DeploymentThread.Stop e) {
                throw e;
            } catch (Exception e) {
                String message = DeploymentThread.message(e);
                restore.rollBack(r, op.action().wireName() + "_failed: " + op.symbolicName() + ": " + message,
                        new Failure(op.symbolicName(), null, message));
                return;
            }
        }
        Set<String> others = new LinkedHashSet<>(affected);
        others.remove(self);
        boolean refreshReachesSelf = bundles.refreshReachesSelf(others);
        if (selfOp != null || refreshReachesSelf) {
            Set<String> toRefresh = affected;
            if (!refreshReachesSelf) {
                // The others now, on this thread: the update of this bundle is then the last thing it does (it
                // exports nothing, so its old revision goes at once and it needs no refresh of its own).
                if (!others.isEmpty() && !refreshed(r, others)) {
                    return;
                }
                toRefresh = Set.of();
            }
            // The rest happens without this component: the next activation reads 'checking' and completes it.
            DeploymentRecord checking = records.save(r.withState(State.CHECKING, clock.instant()));
            Operation own = selfOp;
            Set<String> refreshLast = toRefresh;
            LOG.info("Deployment {}: the update bundle itself is updated or refreshed; its next activation "
                    + "completes the health check", r.id());
            bundles.detached("edgeflow-update-self", () -> {
                try {
                    if (own != null) {
                        bundles.update(own.symbolicName(), journal.artifact(own));
                    }
                    if (!refreshLast.isEmpty()) {
                        bundles.refresh(refreshLast);
                    }
                } catch (Exception e) {
                    // the next activation finds 'checking' and the health check fails on the bundle's version
                    LOG.warn("Deployment {}: updating the update bundle failed: {}", checking.id(),
                            DeploymentThread.message(e));
                }
            });
            return;
        }
        if (!refreshed(r, affected)) {
            return;
        }
        r = records.save(r.withState(State.CHECKING, clock.instant()));
        gate.check(startExpected(r));
    }

    /** @return true if the bundles were refreshed; false if that failed and the deployment was rolled back */
    private boolean refreshed(DeploymentRecord r, Set<String> symbolicNames) {
        try {
            bundles.refresh(symbolicNames);
            return true;
        } catch (DeploymentThread.Stop e) {
            throw e;
        } catch (Exception e) {
            restore.rollBack(r, "refresh_failed: " + DeploymentThread.message(e), null);
            return false;
        }
    }

    /**
     * Starts what the deployment installed, and what it updated that was active; a bundle that will not start ends
     * the deployment with a rollback at once.
     *
     * @return the record, or null if it was rolled back
     */
    DeploymentRecord startExpected(DeploymentRecord r) {
        for (Operation op : r.request().operations()) {
            if (!op.hasArtifact()) {
                continue;
            }
            boolean wasActive = r.previous().stream().filter(p -> p.symbolicName().equals(op.symbolicName()))
                    .findFirst().map(p -> !p.present() || p.active()).orElse(true);
            if (!wasActive) {
                continue;
            }
            try {
                bundles.start(op.symbolicName());
            } catch (DeploymentThread.Stop e) {
                throw e;
            } catch (Exception e) {
                String message = DeploymentThread.message(e);
                restore.rollBack(r, "start_failed: " + op.symbolicName() + ": " + message,
                        new Failure(op.symbolicName(), null, message));
                return null;
            }
        }
        return r;
    }
}
