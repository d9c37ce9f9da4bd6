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

/**
 * A rollout in waves [1, 2, 100%] (cumulative sizes: one device each) over three executable agents and the real
 * reference cloud, where the second wave fails: its agent trusts no publisher key, so it refuses the deployment
 * ({@code updates_disabled}). The first wave succeeds, the rollout halts after the second, the third agent is never
 * touched (still {@code pending}, its bundle unchanged), and the audit trail tells the story (docs/updates.md, "When
 * a rollout halts").
 */
public class UpdateRolloutIT {
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private CloudUpdates updates;

    @After
    public void stopWhatWeStarted() throws Exception {
        if (updates != null) {
            updates.close();
        }
    }

    @Test
    public void whenTheSecondWaveFailsTheRolloutHaltsAndTheThirdDeviceIsNeverTouched() throws Exception {
        updates = CloudUpdates.start("update-rollout");
        boolean[] trusting = {true, false, true};
        List<String> devices = new ArrayList<>();
        List<AgentProcess> agents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CloudUpdates.Device device = updates.register();
            devices.add(device.id());
            agents.add(updates.startAgent("agent" + (i + 1), device, trusting[i]));
        }
        assertTrue(agents.get(1).log().contains("Remote updates disabled"));
        JsonNode thirdBefore = updates.bundle(devices.get(2), HARDWARE);
        String sha256 = updates.publish(withVersion(shippedHardwareJar(), "0.1.401"));

        String deployment = updates.deploy(List.of(sha256), devices, List.of(1, 2, "100%"), 0, 30);
        Http.awaitTrue(deployment + " halted", PATIENCE, () -> "halted".equals(updates.deployment(deployment)
                .get("state").asText()));

        JsonNode first = updates.deviceState(deployment, devices.get(0));
        JsonNode second = updates.deviceState(deployment, devices.get(1));
        JsonNode third = updates.deviceState(deployment, devices.get(2));
        assertEquals(first.toString(), 1, first.get("wave").asInt());
        assertEquals(first.toString(), "succeeded", first.get("state").asText());
        assertEquals(second.toString(), 2, second.get("wave").asInt());
        assertEquals(second.toString(), "failed", second.get("state").asText());
        assertTrue(second.toString(), second.get("reason").asText().contains("updates_disabled"));
        assertEquals(third.toString(), 3, third.get("wave").asInt());
        assertEquals(third.toString(), "pending", third.get("state").asText());
        assertEquals(third.toString(), "rollout halted: wave 2 had 1 failure", third.get("reason").asText());
        assertEquals(2, updates.deployment(deployment).get("current_wave").asInt());

        assertEquals("0.1.401", updates.bundle(devices.get(0), HARDWARE).get("version").asText());
        JsonNode thirdAfter = updates.bundle(devices.get(2), HARDWARE);
        assertEquals("the third device untouched", thirdBefore.get("version"), thirdAfter.get("version"));
        assertEquals(thirdBefore.get("sha256"), thirdAfter.get("sha256"));
        assertTrue("the third agent never got the deployment", !agents.get(2).log().contains(deployment));

        List<String> trail = new ArrayList<>();
        for (JsonNode e : updates.audit(deployment)) {
            trail.add(e.path("event").asText() + " " + e.path("result").asText() + " "
                    + (e.path("device_id").isTextual() ? e.path("device_id").asText() : "-") + " "
                    + e.path("detail").asText());
        }
        String all = String.join("\n", trail);
        assertTrue(all, trail.stream().anyMatch(t -> t.startsWith("deployment_created ok")));
        assertTrue(all, trail.stream().anyMatch(t -> t.startsWith("deployment_state succeeded " + devices.get(0))));
        assertTrue(all, trail.stream().anyMatch(t -> t.startsWith("deployment_state failed " + devices.get(1))));
        assertTrue(all, trail.stream().anyMatch(t -> t.startsWith("deployment_halted halted")
                && t.contains("rollout halted: wave 2 had 1 failure")));
        assertTrue(all, trail.stream().noneMatch(t -> t.contains(devices.get(2))));
        assertEquals(all, 2, trail.stream().filter(t -> t.startsWith("deployment_wave_started")).count());
    }
}
