package io.edgeflow.update.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import io.edgeflow.update.internal.DeploymentRecord.Failure;
import io.edgeflow.update.internal.DeploymentRecord.SavedBundle;
import io.edgeflow.update.internal.DeploymentRecord.State;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollback: restores the bundle set saved before a deployment applied. What was installed is uninstalled, what
 * was updated or uninstalled is put back from its saved copy (the update bundle itself last), then refreshed and
 * started as it was. Idempotent: the journal keeps what is restored already, so a restart goes on where it stopped.
 * <p>
 * Threading: the engine's thread only; when restoring the update bundle itself, the last step runs on a detached
 * thread of {@link Bundles#detached} and the next activation of this component finishes the rollback.
 *
 * @param records the deployments' records and their journal
 * @param bundles the framework's bundles
 * @param clock the clock of the records' times
 */
record BundleSetRestore(JournaledRecords records, Bundles bundles, Clock clock) {
    private static final Logger LOG = LoggerFactory.getLogger(BundleSetRestore.class);
    /** The journal's mark, among the restored names, that the rollback's refresh was started. */
    static final String REFRESHED = "#refreshed";

    /**
     * @param start the deployment, or its record already rolling back (after a restart)
     * @param why the reason, starting with its code
     * @param what what failed, or null
     */
    void rollBack(DeploymentRecord start, String why, Failure what) {
        DeploymentRecord r = start.rollingBack() ? start : records.save(start.rollingBack(why, what));
        LOG.warn("Deployment {}: rolling back: {}", r.id(), why);
        String self = bundles.self();
        Set<String> touched = new LinkedHashSet<>();
        SavedBundle selfSaved = null;
        try {
            Path saved = records.journal().savedDir(r.id());
            for (SavedBundle b : r.previous()) {
                touched.add(b.symbolicName());
                if (b.symbolicName().equals(self)) {
                    selfSaved = b;
                    continue;
                }
                if (r.restored().contains(b.symbolicName())) {
                    continue;
                }
                restore(b, saved);
                r = records.save(r.withRestored(b.symbolicName()));
            }
            boolean selfPending = selfSaved != null && !r.restored().contains(self);
            if (!r.restored().contains(REFRESHED)) {
                if (selfPending || bundles.refreshReachesSelf(touched)) {
                    // This component stops: the marks tell the next activation that only the start is left.
                    DeploymentRecord marked = records.save((selfPending ? r.withRestored(self) : r)
                            .withRestored(REFRESHED));
                    SavedBundle own = selfSaved;
                    bundles.detached("edgeflow-update-rollback-self", () -> {
                        try {
                            if (selfPending) {
                                restore(own, saved);
                            }
                            bundles.refresh(touched);
                        } catch (Exception e) {
                            LOG.error("Deployment {}: restoring the update bundle failed: {}", marked.id(),
                                    DeploymentThread.message(e));
                        }
                    });
                    return;
                }
                bundles.refresh(touched);
            }
            for (SavedBundle b : r.previous()) {
                if (b.present() && b.active()) {
                    bundles.start(b.symbolicName());
                }
            }
        } catch (DeploymentThread.Stop e) {
            throw e;
        } catch (Exception e) {
            DeploymentRecord failed = records.save(r.failedWith(State.FAILED, "rollback_failed: "
                    + DeploymentThread.message(e) + " (after: " + why + ")", r.failed(), clock.instant()));
            LOG.error("Deployment {}: the rollback failed: {}", failed.id(), DeploymentThread.message(e));
            return;
        }
        r = records.save(r.failedWith(State.ROLLED_BACK, why, r.failed(), clock.instant()));
        LOG.warn("Deployment {} rolled back: {}", r.id(), why);
        records.ended(r);
    }

    private void restore(SavedBundle b, Path saved) throws Exception {
        Optional<Bundles.Installed> now = bundles.find(b.symbolicName());
        if (!b.present()) {
            if (now.isPresent()) {
                bundles.uninstall(b.symbolicName());
            }
        } else if (now.isPresent()) {
            bundles.update(b.symbolicName(), saved.resolve(b.copy()));
        } else {
            bundles.install(b.location(), saved.resolve(b.copy()));
        }
    }
}
