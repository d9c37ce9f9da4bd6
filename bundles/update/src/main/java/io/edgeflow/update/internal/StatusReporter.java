package io.edgeflow.update.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports deployment states to the cloud ({@code POST /api/v1/devices/{device_id}/deployments/{id}/status}): the
 * states of each deployment in order, each retried with exponential backoff (1 s doubling up to 5 minutes) until the
 * cloud accepts it. A report the cloud refuses for good ({@link Cloud.Refused}: the deployment is gone, the body is
 * refused) is dropped with one warning and settled like an accepted one, never retried. What the cloud acknowledged
 * goes back to the engine, which journals it, so that after a restart the latest state is sent again if it was not
 * acknowledged.
 * <p>
 * Threading: all sending runs on the given single-threaded scheduler; {@link #submit} may be called from any thread
 * (it only touches {@code pending} under this object's lock).
 */
final class StatusReporter {
    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofMinutes(5);

    private final Cloud cloud;
    private final ScheduledExecutorService scheduler;
    private final BiConsumer<String, String> acknowledged;
    private final Duration firstDelay;
    /** The unsent states per deployment, oldest first; guarded by {@code this}. */
    private final Map<String, java.util.Deque<Map<String, Object>>> pending = new LinkedHashMap<>();
    /** The current retry delay per deployment; guarded by {@code this}. */
    private final Map<String, Duration> delays = new HashMap<>();

    /**
     * @param cloud where reports go
     * @param scheduler a single-threaded scheduler this reporter may use (its owner shuts it down)
     * @param acknowledged told (deployment id, state) when the cloud accepted a report
     */
    StatusReporter(Cloud cloud, ScheduledExecutorService scheduler, BiConsumer<String, String> acknowledged) {
        this(cloud, scheduler, acknowledged, FIRST_DELAY);
    }

    StatusReporter(Cloud cloud, ScheduledExecutorService scheduler, BiConsumer<String, String> acknowledged,
            Duration firstDelay) {
        this.cloud = cloud;
        this.scheduler = scheduler;
        this.acknowledged = acknowledged;
        this.firstDelay = firstDelay;
    }

    /** Queues the record's state for the cloud, replacing an older state of the same deployment still waiting. */
    void submit(DeploymentRecord record) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", record.state().wireName());
        status.put("reason", record.reason());
        status.put("failed", record.failed() == null ? null : record.failed().toJson());
        boolean schedule;
        synchronized (this) {
            java.util.Deque<Map<String, Object>> queue = pending.computeIfAbsent(record.id(),
                    k -> new java.util.ArrayDeque<>());
            schedule = queue.isEmpty();
            queue.add(status);
            if (schedule) {
                delays.put(record.id(), firstDelay);
            }
        }
        if (schedule) {
            try {
                scheduler.execute(() -> send(record.id()));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping: the journal keeps what was not acknowledged for the next start
            }
        }
    }

    private void send(String id) {
        Map<String, Object> status;
        synchronized (this) {
            java.util.Deque<Map<String, Object>> queue = pending.get(id);
            status = queue == null ? null : queue.peek();
        }
        if (status == null) {
            return;
        }
        String state = (String) status.get("state");
        try {
            cloud.report(id, status);
        } catch (Cloud.Refused e) {
            LOG.warn("Deployment {}: {} the state '{}'; it is not sent again", id, e.getMessage(), state);
        } catch (IOException | RuntimeException e) {
            Duration delay;
            synchronized (this) {
                delay = delays.getOrDefault(id, firstDelay);
                delays.put(id, delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2));
            }
            LOG.info("Deployment {}: reporting '{}' to the cloud failed ({}); retrying in {} ms", id, state,
                    e.getMessage(), delay.toMillis());
            try {
                scheduler.schedule(() -> send(id), delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // stopping: sent again after the next start
            }
            return;
        }
        boolean more;
        synchronized (this) {
            java.util.Deque<Map<String, Object>> queue = pending.get(id);
            queue.poll();
            more = !queue.isEmpty();
            delays.put(id, firstDelay);
            if (!more) {
                pending.remove(id);
                delays.remove(id);
            }
        }
        LOG.debug("Deployment {}: reported '{}' to the cloud", id, state);
        acknowledged.accept(id, state);
        if (more) {
            send(id);
        }
    }
}
