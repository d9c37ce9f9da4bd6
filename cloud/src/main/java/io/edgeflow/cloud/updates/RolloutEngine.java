package io.edgeflow.cloud.updates;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeploymentRecord;
import io.edgeflow.cloud.store.DeploymentTarget;
import io.edgeflow.cloud.store.StoreTransaction;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * The waves of each running rollout: a wave ends when each of its devices has an end state; the next starts if its
 * failures are within {@code max_failures}, else the rollout halts and its remaining devices stay {@code pending};
 * after the last wave the rollout completes. Rollouts that were running when the cloud stopped go on at its start.
 * <p>
 * Threading: every decision runs on this engine's one thread ({@code cloud-rollouts}), each in one database
 * transaction; other threads only hand it a deployment id ({@link #advanceLater}).
 */
final class RolloutEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutEngine.class);

    private final Database db;
    private final Clock clock;
    private final ObjectMapper json;
    private final ScheduledExecutorService engine;
    private final Deliveries deliveries;

    /**
     * Starts the engine's thread, listens for tunnels that open, and resumes the running rollouts.
     *
     * @param db the database
     * @param tunnels the open tunnels (deliveries; told when a tunnel opens)
     * @param clock the clock of every time stored
     * @param redeliveryDelay how long to wait before delivering again to a device that was busy with another
     *        deployment (409), did not answer, or failed on its side
     * @param json the mapper
     * @param states the devices' state transitions
     */
    RolloutEngine(Database db, TunnelHub tunnels, Clock clock, Duration redeliveryDelay, ObjectMapper json,
            DeviceStates states) {
        this.db = db;
        this.clock = clock;
        this.json = json;
        this.engine = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cloud-rollouts");
            t.setDaemon(true);
            return t;
        });
        this.deliveries = new Deliveries(db, tunnels, clock, redeliveryDelay, json, states, engine, this::advance);
        tunnels.onOpen(deliveries::tunnelOpened);
        // rollouts that were running when the cloud stopped go on where they were
        engine.execute(() -> {
            for (DeploymentRecord d : db.transaction(tx -> tx.listDeployments(1000))) {
                if (Rollouts.RUNNING.equals(d.state())) {
                    advance(d.id());
                }
            }
        });
    }

    /** @param id a deployment whose devices' states changed, or that was just created (any thread) */
    void advanceLater(String id) {
        engine.execute(() -> advance(id));
    }

    /** Starts the next wave, halts or completes the rollout, as its devices' states say. */
    private void advance(String id) {
        try {
            deliveries.deliverToOnline(id, db.transaction(tx -> decide(tx, id)));
        } catch (RuntimeException e) {
            LOG.error("Rollout {}: {}", id, LogText.of(e), e);
        }
    }

    /** @return the devices to deliver to now (the wave that just started) */
    private List<String> decide(StoreTransaction tx, String id) throws SQLException {
        var found = tx.findDeployment(id);
        if (found.isEmpty() || !Rollouts.RUNNING.equals(found.get().state())) {
            return List.of();
        }
        DeploymentRecord d = found.get();
        DeploymentSpec spec = DeploymentSpec.read(json, d.spec());
        List<DeploymentTarget> targets = tx.targetsOf(id);
        long wave = d.currentWave();
        long now = clock.millis();
        if (wave > 0) {
            long open = 0;
            long failures = 0;
            for (DeploymentTarget t : targets) {
                if (t.wave() == wave) {
                    if (!DeviceStates.END.contains(t.state())) {
                        open++;
                    } else if (t.state().equals("rolled_back") || t.state().equals("failed")) {
                        failures++;
                    }
                }
            }
            if (open > 0) {
                return List.of();
            }
            if (failures > spec.maxFailures()) {
                halt(tx, id, wave, failures, spec, targets, now);
                return List.of();
            }
        }
        long next = Long.MAX_VALUE;
        for (DeploymentTarget t : targets) {
            if (t.wave() > wave) {
                next = Math.min(next, t.wave());
            }
        }
        if (next == Long.MAX_VALUE) {
            tx.updateDeployment(id, Rollouts.COMPLETED, wave, now);
            UpdateAudit.record(tx, now, "deployment_completed", "completed", null, null, id);
            LOG.info("Deployment {} completed", id);
            return List.of();
        }
        tx.updateDeployment(id, Rollouts.RUNNING, next, now);
        List<String> deliver = new ArrayList<>();
        for (DeploymentTarget t : targets) {
            if (t.wave() == next && DeviceStates.PENDING.equals(t.state())) {
                deliver.add(t.deviceId());
            }
        }
        UpdateAudit.record(tx, now, "deployment_wave_started", "ok", null, null, id + ": wave " + next + ", "
                + deliver.size() + " device(s)");
        return deliver;
    }

    private void halt(StoreTransaction tx, String id, long wave, long failures, DeploymentSpec spec,
            List<DeploymentTarget> targets, long now) throws SQLException {
        String reason = "rollout halted: wave " + wave + " had " + failures + " failure" + (failures == 1 ? "" : "s");
        tx.updateDeployment(id, Rollouts.HALTED, wave, now);
        for (DeploymentTarget t : targets) {
            if (DeviceStates.PENDING.equals(t.state())) {
                tx.updateTarget(new DeploymentTarget(id, t.deviceId(), t.wave(), DeviceStates.PENDING, now, reason,
                        null));
            }
        }
        UpdateAudit.record(tx, now, "deployment_halted", "halted", null, null, id + ": " + reason + " (max_failures "
                + spec.maxFailures() + ")");
        LOG.info("Deployment {}: {}", id, reason);
    }

    /** Stops the engine; a rollout goes on after the next start. */
    @Override
    public void close() {
        engine.shutdownNow();
        try {
            engine.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
