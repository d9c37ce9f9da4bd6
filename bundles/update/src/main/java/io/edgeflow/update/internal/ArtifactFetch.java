package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import io.edgeflow.update.internal.DeploymentRecord.State;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deployment's first two steps, which change nothing on the device: download each artifact (resumed where the
 * last attempt stopped), then verify each against the trusted keys and the bundles installed. Either ends the
 * deployment as {@code failed} when it cannot go on.
 * <p>
 * Threading: the engine's thread only.
 *
 * @param records the deployments' records and their journal
 * @param bundles the framework's bundles
 * @param cloud the cloud (downloads)
 * @param verifier the checks of an artifact
 * @param maxArtifactBytes the largest artifact accepted
 * @param clock the clock of the records' times
 * @param thread the engine's thread (stop flag, waits)
 */
record ArtifactFetch(JournaledRecords records, Bundles bundles, Cloud cloud, ArtifactVerifier verifier,
        long maxArtifactBytes, Clock clock, DeploymentThread thread) {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactFetch.class);
    /** Downloads tried per artifact before the deployment fails; each resumes where the last one stopped. */
    static final int DOWNLOAD_ATTEMPTS = 4;

    /** @return the record, {@code downloading}, or failed */
    DeploymentRecord download(DeploymentRecord r) {
        r = records.save(r.withState(State.DOWNLOADING, clock.instant()));
        Journal journal = records.journal();
        Path dir;
        try {
            dir = journal.artifactsDir();
        } catch (IOException e) {
            return records.fail(r, "storage_error: cannot create " + journal.root().resolve("artifacts") + ": "
                    + e.getMessage());
        }
        for (Operation op : r.request().operations()) {
            if (!op.hasArtifact()) {
                continue;
            }
            Path jar = dir.resolve(op.sha256() + ".jar");
            if (Files.isRegularFile(jar)) {
                continue;
            }
            Path part = dir.resolve(op.sha256() + ".part");
            IOException last = null;
            for (int attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
                thread.checkNotStopped();
                try {
                    cloud.download(op, part, Math.min(maxArtifactBytes, op.size()));
                    Files.move(part, jar, StandardCopyOption.REPLACE_EXISTING);
                    last = null;
                    break;
                } catch (ArtifactRejected e) {
                    Journal.deleteQuietly(part);
                    return records.fail(r, e.reason());
                } catch (IOException e) {
                    last = e;
                    LOG.info("Deployment {}: download of {} ({}) failed, attempt {} of {}: {}", r.id(),
                            op.symbolicName(), op.sha256(), attempt, DOWNLOAD_ATTEMPTS, e.getMessage());
                    thread.sleep(Duration.ofSeconds(attempt));
                }
            }
            if (last != null) {
                return records.fail(r, "download_failed: " + op.symbolicName() + ": " + last.getMessage());
            }
        }
        return r;
    }

    /** @return the record, {@code verifying}, or failed */
    DeploymentRecord verify(DeploymentRecord r) {
        r = records.save(r.withState(State.VERIFYING, clock.instant()));
        for (Operation op : r.request().operations()) {
            Optional<Bundles.Installed> installed = bundles.find(op.symbolicName());
            if (op.action() == Operation.Action.INSTALL && installed.isPresent()) {
                return records.fail(r, "already_installed: " + op.symbolicName() + " " + installed.get().version()
                        + " is installed; use update");
            }
            if (op.action() != Operation.Action.INSTALL && installed.isEmpty()) {
                return records.fail(r, "not_installed: " + op.symbolicName() + " is not installed");
            }
            if (!op.hasArtifact()) {
                continue;
            }
            try {
                verifier.verify(op, records.journal().artifact(op));
            } catch (ArtifactRejected e) {
                LOG.warn("Deployment {} refused: {}", r.id(), e.reason());
                return records.fail(r, e.reason());
            } catch (IOException e) {
                return records.fail(r, "storage_error: " + op.symbolicName() + ": " + e.getMessage());
            }
        }
        return r;
    }
}
