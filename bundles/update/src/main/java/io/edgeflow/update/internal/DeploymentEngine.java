package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

import io.edgeflow.update.internal.DeploymentRecord.Failure;
import io.edgeflow.update.internal.DeploymentRecord.SavedBundle;
import io.edgeflow.update.internal.DeploymentRecord.State;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs deployments: download, verify, save the previous set, apply, refresh, health check, commit or roll back
 * (docs/updates-device.md). Every step is journaled before it is taken, so that {@link #recover()} after a restart
 * (a kill -9, a power cut, the update bundle's own update) either completes the check and commits or rolls back.
 * <p>
 * Threading: all deployment work runs on the one thread of the executor given to the constructor, one deployment at
 * a time; {@link #accept}, {@link #records} and {@link #record} may be called from any thread and only touch the
 * in-memory records under this object's lock. Reports to the cloud go through the {@link StatusReporter}, which has
 * its own thread and hands acknowledgements back to the engine's thread.
 */
final class DeploymentEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentEngine.class);
    /** Location prefix of bundles a deployment installs. */
    static final String LOCATION_PREFIX = "edgeflow-update:";
    /** Downloads tried per artifact before the deployment fails; each resumes where the last one stopped. */
    static final int DOWNLOAD_ATTEMPTS = 4;
    /** The journal's mark, among the restored names, that the rollback's refresh was started. */
    static final String REFRESHED = "#refreshed";

    private final Journal journal;
    private final Bundles bundles;
    private final Health health;
    private final Cloud cloud;
    private final ArtifactVerifier verifier;
    private final TrustedKeys keys;
    private final long maxArtifactBytes;
    private final Clock clock;
    private final ExecutorService executor;
    private final Pause pause;
    private volatile StatusReporter reporter;

    /** Records by id, in the order they were last changed; guarded by {@code this}. */
    private final Map<String, DeploymentRecord> records = new LinkedHashMap<>();

    /** Waits between two health checks; a seam so that unit tests do not wait. */
    @FunctionalInterface
    interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    DeploymentEngine(Journal journal, Bundles bundles, Health health, Cloud cloud, TrustedKeys keys,
            long maxArtifactBytes, Clock clock, ExecutorService executor, Pause pause) {
        this.journal = journal;
        this.bundles = bundles;
        this.health = health;
        this.cloud = cloud;
        this.keys = keys;
        this.maxArtifactBytes = maxArtifactBytes;
        this.verifier = new ArtifactVerifier(keys, maxArtifactBytes);
        this.clock = clock;
        this.executor = executor;
        this.pause = pause;
    }

    /** @param statusReporter where state changes go; set once before {@link #recover()} */
    void reportTo(StatusReporter statusReporter) {
        this.reporter = statusReporter;
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
        DeploymentRecord record;
        synchronized (this) {
            DeploymentRecord known = records.get(request.id());
            if (known != null) {
                return new Acceptance(Outcome.KNOWN, known, null);
            }
            if (keys.isEmpty()) {
                return new Acceptance(Outcome.DISABLED, null, null);
            }
            Optional<DeploymentRecord> running = records.values().stream().filter(r -> !r.state().isEnd())
                    .findFirst();
            if (running.isPresent()) {
                return new Acceptance(Outcome.IN_PROGRESS, null, running.get().id());
            }
            record = DeploymentRecord.accepted(request, clock.instant());
            journal.write(record);
            records.put(record.id(), record);
        }
        LOG.info("Deployment {} accepted: {}", record.id(), describe(request.operations()));
        report(record);
        executor.execute(() -> run(record));
        return new Acceptance(Outcome.ACCEPTED, record, null);
    }

    /** @return the last {@link Journal#KEPT} records, newest first */
    synchronized List<DeploymentRecord> records() {
        List<DeploymentRecord> list = new ArrayList<>(records.values());
        list.sort(Comparator.comparing(DeploymentRecord::updatedAt).reversed());
        return list.size() > Journal.KEPT ? List.copyOf(list.subList(0, Journal.KEPT)) : List.copyOf(list);
    }

    /** @return the record of that id, if known */
    synchronized Optional<DeploymentRecord> record(String id) {
        return Optional.ofNullable(records.get(id));
    }

    /**
     * Reads the journal and, on the engine's thread, finishes what a restart interrupted: a download starts again
     * (resumed), an apply is rolled back, a health check is completed, a rollback goes on; every record whose state
     * the cloud has not acknowledged is reported again.
     */
    void recover() {
        List<DeploymentRecord> found = journal.readAll();
        synchronized (this) {
            found.forEach(r -> records.put(r.id(), r));
        }
        for (DeploymentRecord r : found) {
            if (!r.state().isEnd()) {
                LOG.info("Deployment {} was {} when the update bundle stopped: {}", r.id(), r.state().wireName(),
                        r.rollingBack() ? "the rollback goes on" : switch (r.state()) {
                            case DOWNLOADING, VERIFYING -> "downloading again";
                            case APPLYING -> "rolling back";
                            default -> "completing the health check";
                        });
                executor.execute(() -> resume(r));
            } else if (r.needsReport()) {
                report(r);
            }
        }
    }

    private void resume(DeploymentRecord r) {
        try {
            if (r.rollingBack()) {
                rollBack(r, r.reason(), r.failed());
            } else if (r.state() == State.APPLYING) {
                rollBack(r, "interrupted: the agent stopped while applying", null);
            } else if (r.state() == State.CHECKING) {
                check(startExpected(r));
            } else {
                run(r);
            }
        } catch (Stop e) {
            LOG.debug("Deployment {}: stopped ({})", r.id(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Deployment {}: unexpected failure: {}", r.id(), e.toString(), e);
        }
    }

    /** Download, verify, apply: the whole deployment, on the engine's thread. */
    private void run(DeploymentRecord accepted) {
        DeploymentRecord r = accepted;
        try {
            r = download(r);
            if (r.state().isEnd()) {
                return;
            }
            r = verify(r);
            if (r.state().isEnd()) {
                return;
            }
            apply(r);
        } catch (Stop e) {
            LOG.debug("Deployment {}: stopped ({})", r.id(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Deployment {}: unexpected failure: {}", r.id(), e.toString(), e);
        }
    }

    private DeploymentRecord download(DeploymentRecord r) {
        r = save(r.withState(State.DOWNLOADING, clock.instant()));
        Path dir;
        try {
            dir = journal.artifactsDir();
        } catch (IOException e) {
            return fail(r, "storage_error: cannot create " + journal.root().resolve("artifacts") + ": "
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
                checkNotStopped();
                try {
                    cloud.download(op, part, Math.min(maxArtifactBytes, op.size()));
                    Files.move(part, jar, StandardCopyOption.REPLACE_EXISTING);
                    last = null;
                    break;
                } catch (ArtifactRejected e) {
                    Journal.deleteQuietly(part);
                    return fail(r, e.reason());
                } catch (IOException e) {
                    last = e;
                    LOG.info("Deployment {}: download of {} ({}) failed, attempt {} of {}: {}", r.id(),
                            op.symbolicName(), op.sha256(), attempt, DOWNLOAD_ATTEMPTS, e.getMessage());
                    sleep(Duration.ofSeconds(attempt));
                }
            }
            if (last != null) {
                return fail(r, "download_failed: " + op.symbolicName() + ": " + last.getMessage());
            }
        }
        return r;
    }

    private DeploymentRecord verify(DeploymentRecord r) {
        r = save(r.withState(State.VERIFYING, clock.instant()));
        for (Operation op : r.request().operations()) {
            Optional<Bundles.Installed> installed = bundles.find(op.symbolicName());
            if (op.action() == Operation.Action.INSTALL && installed.isPresent()) {
                return fail(r, "already_installed: " + op.symbolicName() + " " + installed.get().version()
                        + " is installed; use update");
            }
            if (op.action() != Operation.Action.INSTALL && installed.isEmpty()) {
                return fail(r, "not_installed: " + op.symbolicName() + " is not installed");
            }
            if (!op.hasArtifact()) {
                continue;
            }
            try {
                verifier.verify(op, artifact(op));
            } catch (ArtifactRejected e) {
                LOG.warn("Deployment {} refused: {}", r.id(), e.reason());
                return fail(r, e.reason());
            } catch (IOException e) {
                return fail(r, "storage_error: " + op.symbolicName() + ": " + e.getMessage());
            }
        }
        return r;
    }

    /** Saves the previous set, applies every operation (the update bundle's own last), refreshes, checks. */
    private void apply(DeploymentRecord r) {
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
            fail(r, "storage_error: the current bundles could not be saved: " + e.getMessage());
            return;
        }
        r = save(r.withPrevious(previous, health.baseline()).withState(State.APPLYING, clock.instant()));
        LOG.info("Deployment {}: applying {}", r.id(), describe(r.request().operations()));
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
                    case INSTALL -> bundles.install(LOCATION_PREFIX + op.symbolicName(), artifact(op));
                    case UPDATE -> bundles.update(op.symbolicName(), artifact(op));
                    case UNINSTALL -> bundles.uninstall(op.symbolicName());
                }
            } catch (Stop e) {
                throw e;
            } catch (Exception e) {
                rollBack(r, op.action().wireName() + "_failed: " + op.symbolicName() + ": " + message(e),
                        new Failure(op.symbolicName(), null, message(e)));
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
                if (!others.isEmpty()) {
                    try {
                        bundles.refresh(others);
                    } catch (Stop e) {
                        throw e;
                    } catch (Exception e) {
                        rollBack(r, "refresh_failed: " + message(e), null);
                        return;
                    }
                }
                toRefresh = Set.of();
            }
            // The rest happens without this component: the next activation reads 'checking' and completes it.
            DeploymentRecord checking = save(r.withState(State.CHECKING, clock.instant()));
            Operation own = selfOp;
            Set<String> refreshLast = toRefresh;
            LOG.info("Deployment {}: the update bundle itself is updated or refreshed; its next activation "
                    + "completes the health check", r.id());
            bundles.detached("edgeflow-update-self", () -> {
                try {
                    if (own != null) {
                        bundles.update(own.symbolicName(), artifact(own));
                    }
                    if (!refreshLast.isEmpty()) {
                        bundles.refresh(refreshLast);
                    }
                } catch (Exception e) {
                    // the next activation finds 'checking' and the health check fails on the bundle's version
                    LOG.warn("Deployment {}: updating the update bundle failed: {}", checking.id(), message(e));
                }
            });
            return;
        }
        try {
            bundles.refresh(affected);
        } catch (Stop e) {
            throw e;
        } catch (Exception e) {
            rollBack(r, "refresh_failed: " + message(e), null);
            return;
        }
        r = save(r.withState(State.CHECKING, clock.instant()));
        check(startExpected(r));
    }

    /**
     * Starts what the deployment installed, and what it updated that was active; a bundle that will not start ends
     * the deployment with a rollback at once.
     *
     * @return the record, or null if it was rolled back
     */
    private DeploymentRecord startExpected(DeploymentRecord r) {
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
            } catch (Stop e) {
                throw e;
            } catch (Exception e) {
                rollBack(r, "start_failed: " + op.symbolicName() + ": " + message(e),
                        new Failure(op.symbolicName(), null, message(e)));
                return null;
            }
        }
        return r;
    }

    /** The health check until its deadline: commit, or roll back. */
    private void check(DeploymentRecord r) {
        if (r == null) {
            return;
        }
        Instant deadline = clock.instant().plusSeconds(r.request().healthTimeoutSeconds());
        Health.Verdict verdict;
        while (true) {
            checkNotStopped();
            verdict = health.check(r.baseline(), r.request().operations());
            if (verdict.healthy() || verdict.broken() || !clock.instant().isBefore(deadline)) {
                break;
            }
            sleep(Duration.ofMillis(250));
        }
        if (verdict.healthy()) {
            r = save(r.failedWith(State.SUCCEEDED, null, null, clock.instant()));
            LOG.info("Deployment {} succeeded: {}", r.id(), describe(r.request().operations()));
            journal.cleanUp(r);
            prune();
            return;
        }
        Failure f = verdict.failure();
        String why = (verdict.broken() ? "health_check_failed: " : "health_check_timeout: after "
                + r.request().healthTimeoutSeconds() + " s: ") + describe(f);
        rollBack(r, why, f);
    }

    /**
     * Restores the previous set: what was installed is uninstalled, what was updated or uninstalled is put back
     * from its saved copy (the update bundle itself last), then refreshed and started as it was. Idempotent: the
     * journal keeps what is restored already, so a restart goes on where it stopped.
     */
    private void rollBack(DeploymentRecord start, String why, Failure what) {
        DeploymentRecord r = start.rollingBack() ? start : save(start.rollingBack(why, what));
        LOG.warn("Deployment {}: rolling back: {}", r.id(), why);
        String self = bundles.self();
        Set<String> touched = new LinkedHashSet<>();
        SavedBundle selfSaved = null;
        try {
            Path saved = journal.savedDir(r.id());
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
                r = save(r.withRestored(b.symbolicName()));
            }
            boolean selfPending = selfSaved != null && !r.restored().contains(self);
            if (!r.restored().contains(REFRESHED)) {
                if (selfPending || bundles.refreshReachesSelf(touched)) {
                    // This component stops: the marks tell the next activation that only the start is left.
                    DeploymentRecord marked = save((selfPending ? r.withRestored(self) : r).withRestored(REFRESHED));
                    SavedBundle own = selfSaved;
                    bundles.detached("edgeflow-update-rollback-self", () -> {
                        try {
                            if (selfPending) {
                                restore(own, saved);
                            }
                            bundles.refresh(touched);
                        } catch (Exception e) {
                            LOG.error("Deployment {}: restoring the update bundle failed: {}", marked.id(),
                                    message(e));
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
        } catch (Stop e) {
            throw e;
        } catch (Exception e) {
            DeploymentRecord failed = save(r.failedWith(State.FAILED, "rollback_failed: " + message(e) + " (after: "
                    + why + ")", r.failed(), clock.instant()));
            LOG.error("Deployment {}: the rollback failed: {}", failed.id(), message(e));
            return;
        }
        r = save(r.failedWith(State.ROLLED_BACK, why, r.failed(), clock.instant()));
        LOG.warn("Deployment {} rolled back: {}", r.id(), why);
        journal.cleanUp(r);
        prune();
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

    /** Called by the reporter (any thread) when the cloud acknowledged a state. */
    void reported(String id, String wireState) {
        executor.execute(() -> {
            DeploymentRecord r;
            synchronized (this) {
                r = records.get(id);
            }
            if (r != null && r.state().wireName().equals(wireState) && r.needsReport()) {
                try {
                    DeploymentRecord acknowledged = r.withReported(wireState);
                    journal.write(acknowledged);
                    synchronized (this) {
                        records.put(id, acknowledged);
                    }
                } catch (IOException e) {
                    LOG.debug("Deployment {}: could not journal the acknowledged report: {}", id, e.getMessage());
                }
            }
        });
    }

    private DeploymentRecord fail(DeploymentRecord r, String why) {
        DeploymentRecord failed = save(r.failedWith(State.FAILED, why, null, clock.instant()));
        LOG.warn("Deployment {} failed: {}; nothing was changed", r.id(), why);
        journal.cleanUp(failed);
        prune();
        return failed;
    }

    /** Journals a record and only then makes it current; a journal that cannot be written stops the deployment. */
    private DeploymentRecord save(DeploymentRecord r) {
        try {
            journal.write(r);
        } catch (IOException e) {
            LOG.error("Deployment {}: the journal cannot be written ({}): stopped in state {}", r.id(),
                    e.getMessage(), r.state().wireName());
            throw new Stop("journal not writable");
        }
        DeploymentRecord before;
        synchronized (this) {
            before = records.put(r.id(), r);
        }
        if (before == null || before.state() != r.state()) {
            report(r);
        }
        return r;
    }

    private void report(DeploymentRecord r) {
        StatusReporter to = reporter;
        if (to != null && r.needsReport()) {
            to.submit(r);
        }
    }

    private void prune() {
        List<DeploymentRecord> all;
        synchronized (this) {
            all = new ArrayList<>(records.values());
        }
        all.sort(Comparator.comparing(DeploymentRecord::updatedAt));
        List<String> deleted = journal.prune(all);
        synchronized (this) {
            deleted.forEach(records::remove);
        }
    }

    private Path artifact(Operation op) throws IOException {
        return journal.artifactsDir().resolve(op.sha256() + ".jar");
    }

    private void sleep(Duration duration) {
        try {
            pause.pause(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stop("interrupted");
        }
    }

    private void checkNotStopped() {
        if (Thread.currentThread().isInterrupted() || executor.isShutdown()) {
            throw new Stop("the update bundle is stopping");
        }
    }

    static String describe(List<Operation> operations) {
        return operations.stream().map(op -> op.action().wireName() + " " + op.symbolicName()
                + (op.version() == null ? "" : " " + op.version())).reduce((a, b) -> a + ", " + b).orElse("");
    }

    static String describe(Failure f) {
        if (f == null) {
            return "unknown";
        }
        StringBuilder s = new StringBuilder();
        if (f.bundle() != null) {
            s.append(f.bundle());
        }
        if (f.component() != null) {
            s.append(s.length() > 0 ? " / " : "").append(f.component());
        }
        if (f.message() != null) {
            s.append(s.length() > 0 ? ": " : "").append(f.message());
        }
        return s.toString();
    }

    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /** The engine is being stopped (deactivation) or cannot journal: the deployment stays as journaled. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop(String message) {
            super(message, null, false, false);
        }
    }

    /** @return a consumer for the journal's warnings */
    static Consumer<String> warnings() {
        return message -> LOG.warn("{}", message);
    }
}
