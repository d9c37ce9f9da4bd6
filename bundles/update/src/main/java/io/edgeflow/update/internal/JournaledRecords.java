package io.edgeflow.update.internal;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.edgeflow.update.internal.DeploymentEngine.Acceptance;
import io.edgeflow.update.internal.DeploymentEngine.Outcome;
import io.edgeflow.update.internal.DeploymentRecord.State;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current record of each deployment: written to the {@link Journal} before it becomes current, handed to the
 * {@link StatusReporter} when its state changes, pruned to the last {@link Journal#KEPT} once a deployment ends.
 * <p>
 * Threading: the in-memory records are guarded by this object's lock and may be read from any thread; a running
 * deployment's records are saved from the engine's thread only, and {@link #admit} writes the journal under the lock,
 * so two callers cannot both start a deployment.
 */
final class JournaledRecords {
    private static final Logger LOG = LoggerFactory.getLogger(JournaledRecords.class);

    private final Journal journal;
    private final Clock clock;
    private volatile StatusReporter reporter;
    /** Records by id, in the order they were last changed; guarded by {@code this}. */
    private final Map<String, DeploymentRecord> records = new LinkedHashMap<>();

    JournaledRecords(Journal journal, Clock clock) {
        this.journal = journal;
        this.clock = clock;
    }

    /** @return the journal's files */
    Journal journal() {
        return journal;
    }

    /** @param statusReporter where state changes go; set once before {@link #load()} */
    void reportTo(StatusReporter statusReporter) {
        this.reporter = statusReporter;
    }

    /** @return the records the journal holds, now current */
    List<DeploymentRecord> load() {
        List<DeploymentRecord> found = journal.readAll();
        synchronized (this) {
            found.forEach(r -> records.put(r.id(), r));
        }
        return found;
    }

    /**
     * Journals a new deployment unless one of that id is known, none may run, or another is running.
     *
     * @param request the checked request
     * @param disabled true if no trusted key is configured
     * @return what was done; {@link Outcome#ACCEPTED} with the record journaled
     * @throws IOException if the journal cannot be written (nothing is started)
     */
    synchronized Acceptance admit(DeploymentRequest request, boolean disabled) throws IOException {
        DeploymentRecord known = records.get(request.id());
        if (known != null) {
            return new Acceptance(Outcome.KNOWN, known, null);
        }
        if (disabled) {
            return new Acceptance(Outcome.DISABLED, null, null);
        }
        Optional<DeploymentRecord> running = records.values().stream().filter(r -> !r.state().isEnd()).findFirst();
        if (running.isPresent()) {
            return new Acceptance(Outcome.IN_PROGRESS, null, running.get().id());
        }
        DeploymentRecord record = DeploymentRecord.accepted(request, clock.instant());
        journal.write(record);
        records.put(record.id(), record);
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
     * Journals a record and only then makes it current; a journal that cannot be written stops the deployment.
     *
     * @return the record
     * @throws DeploymentThread.Stop if the journal cannot be written
     */
    DeploymentRecord save(DeploymentRecord r) {
        try {
            journal.write(r);
        } catch (IOException e) {
            LOG.error("Deployment {}: the journal cannot be written ({}): stopped in state {}", r.id(),
                    e.getMessage(), r.state().wireName());
            throw new DeploymentThread.Stop("journal not writable");
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

    /**
     * Ends a deployment that changed nothing on the device.
     *
     * @param r the deployment
     * @param why the reason, starting with its code
     * @return the failed record
     */
    DeploymentRecord fail(DeploymentRecord r, String why) {
        DeploymentRecord failed = save(r.failedWith(State.FAILED, why, null, clock.instant()));
        LOG.warn("Deployment {} failed: {}; nothing was changed", r.id(), why);
        ended(failed);
        return failed;
    }

    /** @param r a deployment in its end state: its files go, and the oldest records beyond the kept ones */
    void ended(DeploymentRecord r) {
        journal.cleanUp(r);
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

    /** The cloud acknowledged a state (engine thread): the record says so from now on, in the journal too. */
    void acknowledge(String id, String wireState) {
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
    }

    /** @param r a record whose state the cloud may not have yet */
    void report(DeploymentRecord r) {
        StatusReporter to = reporter;
        if (to != null && r.needsReport()) {
            to.submit(r);
        }
    }
}
