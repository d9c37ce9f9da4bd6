package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.HARDWARE;
import static io.edgeflow.itests.UpdateArtifacts.shippedHardwareJar;
import static io.edgeflow.itests.UpdateArtifacts.shippedJar;
import static io.edgeflow.itests.UpdateArtifacts.withVersion;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The update bundle replaces itself, end to end: the real reference cloud and the executable agent ({@code
 * launcher/target/edgeflow}); UpdateIT does it in Pax Exam's framework with the deployment posted locally. The
 * engine journals {@code checking} and updates itself last; its next activation completes the health check and
 * reports {@code succeeded} (docs/updates-device.md). The new revision still trusts the publisher: the next
 * deployment, of the hardware facts bundle, succeeds too.
 */
public class UpdateSelfIT {
    private static final String SELF = "io.edgeflow.update";
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private CloudUpdates updates;

    @After
    public void stopWhatWeStarted() throws Exception {
        if (updates != null) {
            updates.close();
        }
    }

    @Test
    public void theUpdateBundleReplacesItselfThroughTheCloudAndTakesTheNextDeployment() throws Exception {
        updates = CloudUpdates.start("update-self");
        CloudUpdates.Device device = updates.register();
        AgentProcess agent = updates.startAgent("agent", device, true);

        String self = updates.publish(withVersion(shippedJar(SELF), "0.1.601"));
        String deployment = updates.deploy(List.of(self), List.of(device.id()), null, null, 60);
        JsonNode state = updates.awaitEnd(deployment, device.id(), agent, PATIENCE);

        assertEquals(state.toString(), "succeeded", state.get("state").asText());
        JsonNode bundle = updates.bundle(device.id(), SELF);
        assertEquals("0.1.601", bundle.get("version").asText());
        assertEquals("ACTIVE", bundle.get("state").asText());
        assertTrue(agent.log().contains("Deployment " + deployment + ": the update bundle itself is updated"));

        String hardware = updates.publish(withVersion(shippedHardwareJar(), "0.1.602"));
        String next = updates.deploy(List.of(hardware), List.of(device.id()), null, null, 60);
        JsonNode after = updates.awaitEnd(next, device.id(), agent, PATIENCE);

        assertEquals("the new update bundle still trusts the publisher: " + after, "succeeded",
                after.get("state").asText());
        assertEquals("0.1.602", updates.bundle(device.id(), HARDWARE).get("version").asText());
    }
}
