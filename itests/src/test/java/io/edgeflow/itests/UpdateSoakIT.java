package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.HARDWARE;
import static io.edgeflow.itests.UpdateArtifacts.shippedHardwareJar;
import static io.edgeflow.itests.UpdateArtifacts.withVersion;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Twenty updates in a row on one executable agent ({@code launcher/target/edgeflow}, its shipped JVM options: a
 * 32 MiB heap, the serial collector), through the real reference cloud, alternating two versions of the hardware
 * facts bundle: each succeeds, and what the agent holds after a full collection (threads, heap, metaspace, read with
 * {@code jcmd} and /proc) stays flat. An update that leaked a thread, or kept the replaced revision (its class loader
 * and classes), would add up twenty times; the bounds below are far under that and far over the noise.
 */
public class UpdateSoakIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int UPDATES = 20;
    /** The footprint after this many updates is the baseline: the first ones load code paths for the first time. */
    private static final int WARM_UP = 4;
    /*
     * The bounds, against what one run measured on a loaded 2-core machine (threads, heap KiB, metaspace KiB after a
     * full GC; after updates 4 and 20): 50 -> 50 threads, 11283 -> 11404 KiB heap (it moves by up to 800 KiB between
     * samples), 23856 -> 23869 KiB metaspace. The same run with both versions given an activator that starts a
     * thread and never stops it (which keeps each replaced revision, its class loader and classes, alive) failed:
     * 58 -> 90 threads, 24531 -> 27635 KiB metaspace (+194 KiB per update), heap +970 KiB (within the noise: the
     * metaspace and the threads are what show a kept revision).
     */
    /** Threads the agent may have more at the end than at the baseline. */
    private static final int MAX_MORE_THREADS = 4;
    /** Heap after a full collection the agent may hold more at the end, in KiB (of a 32 MiB heap). */
    private static final long MAX_MORE_HEAP_KIB = 3 * 1024;
    /** Metaspace the agent may use more at the end, in KiB. */
    private static final long MAX_MORE_METASPACE_KIB = 256;

    private CloudUpdates updates;

    @After
    public void stopWhatWeStarted() throws Exception {
        if (updates != null) {
            updates.close();
        }
    }

    @Test
    public void twentyUpdatesInARowLeaveThreadsHeapAndMetaspaceFlat() throws Exception {
        updates = CloudUpdates.start("update-soak");
        CloudUpdates.Device device = updates.register();
        AgentProcess agent = updates.startAgent("agent", device, true);
        String[] versions = {"0.1.301", "0.1.302"};
        String[] artifacts = new String[2];
        for (int v = 0; v < 2; v++) {
            artifacts[v] = updates.publish(withVersion(shippedHardwareJar(), versions[v]));
        }

        List<AgentProcess.Footprint> footprints = new ArrayList<>();
        footprints.add(agent.footprint());
        for (int i = 1; i <= UPDATES; i++) {
            int v = (i - 1) % 2;
            String deployment = updates.deploy(List.of(artifacts[v]), List.of(device.id()), null, null, 30);
            JsonNode state = updates.awaitEnd(deployment, device.id(), agent, PATIENCE);
            assertEquals("update " + i + ": " + state, "succeeded", state.get("state").asText());
            JsonNode hardware = bundle(Http.get(agent.url("/api/v1/bundles")).body(), HARDWARE);
            assertEquals("update " + i, versions[v], hardware.get("version").asText());
            assertEquals("update " + i, "ACTIVE", hardware.get("state").asText());
            if (i % 2 == 0) {
                footprints.add(agent.footprint());
            }
        }

        StringBuilder table = new StringBuilder("UpdateSoakIT: after updates 0, 2, 4, ... " + UPDATES
                + " (threads, heap KiB, metaspace KiB after a full GC):");
        for (int k = 0; k < footprints.size(); k++) {
            AgentProcess.Footprint f = footprints.get(k);
            table.append("\n  ").append(2 * k).append(": ").append(f.threads()).append(", ")
                    .append(f.heapUsedKib()).append(", ").append(f.metaspaceUsedKib());
        }
        System.out.println(table);
        AgentProcess.Footprint baseline = footprints.get(WARM_UP / 2);
        AgentProcess.Footprint last = footprints.get(footprints.size() - 1);
        assertTrue("threads grew: " + table, last.threads() - baseline.threads() <= MAX_MORE_THREADS);
        assertTrue("heap grew: " + table, last.heapUsedKib() - baseline.heapUsedKib() <= MAX_MORE_HEAP_KIB);
        assertTrue("metaspace grew: " + table,
                last.metaspaceUsedKib() - baseline.metaspaceUsedKib() <= MAX_MORE_METASPACE_KIB);
    }

    /** @return the bundle in the local API's list */
    private static JsonNode bundle(String body, String symbolicName) throws Exception {
        for (JsonNode b : JSON.readTree(body).get("bundles")) {
            if (symbolicName.equals(b.get("symbolic_name").asText())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed: " + body);
    }
}
