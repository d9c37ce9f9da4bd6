package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.HARDWARE;
import static io.edgeflow.itests.UpdateArtifacts.bundleJar;
import static io.edgeflow.itests.UpdateArtifacts.shippedHardwareJar;
import static io.edgeflow.itests.UpdateArtifacts.signature;
import static io.edgeflow.itests.UpdateArtifacts.withVersion;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a device refuses, end to end: the real reference cloud and one executable agent ({@code
 * launcher/target/edgeflow}) that trusts the test's publisher key. A bundle that does not resolve is rolled back;
 * an artifact whose bytes no longer match its SHA-256 (changed on the cloud's disk after upload), and a signature
 * forged by someone who holds the cloud's admin token but not the publisher's key (sent through the tunnel as the
 * cloud would), are refused before anything changes; a configuration value out of its metatype's range, sent through
 * the tunnel, is a 400 naming the property and is never applied.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpdateRefusedIT {
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TUNNEL_PID = "io.edgeflow.tunnel";

    private static CloudUpdates updates;
    private static ReferenceCloud cloud;
    private static AgentProcess agent;
    private static CloudUpdates.Device device;
    /** The unresolvable build of test a: signed, and in a deployment to the device, so the device may fetch it. */
    private static byte[] unresolvable;
    private static String unresolvableSha256;

    @BeforeClass
    public static void cloudAndAgent() throws Exception {
        updates = CloudUpdates.start("update-refused");
        cloud = updates.cloud();
        device = updates.register();
        agent = updates.startAgent("agent", device, true);
    }

    @AfterClass
    public static void stopWhatWeStarted() throws Exception {
        if (updates != null) {
            updates.close();
        }
    }

    @Test
    public void a_aBundleThatDoesNotResolveIsRolledBack() throws Exception {
        JsonNode before = updates.bundle(device.id(), HARDWARE);
        unresolvable = bundleJar(HARDWARE, "0.1.501", Map.of("Import-Package", "com.example.nowhere"), Map.of());
        unresolvableSha256 = updates.publish(unresolvable);

        String deployment = updates.deploy(List.of(unresolvableSha256), List.of(device.id()), null, null, 30);
        JsonNode state = updates.awaitEnd(deployment, device.id(), agent, PATIENCE);

        assertEquals(state.toString(), "rolled_back", state.get("state").asText());
        assertEquals(state.toString(), HARDWARE, state.get("failed").get("bundle").asText());
        assertTrue(state.toString(), state.get("failed").get("message").asText().contains("com.example.nowhere"));
        JsonNode after = updates.bundle(device.id(), HARDWARE);
        assertEquals(before.get("version"), after.get("version"));
        assertEquals("ACTIVE", after.get("state").asText());
        assertTrue(updates.online(device.id()));
    }

    @Test
    public void b_anArtifactWhoseBytesNoLongerMatchItsHashIsRefusedAndNothingChanges() throws Exception {
        Map<String, String> before = bundleSet();
        String sha256 = updates.publish(withVersion(shippedHardwareJar(), "0.1.502"));
        Path stored = cloud.dataDir().resolve("artifacts").resolve(sha256);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x5a; // as a disk error or an intruder on the cloud's host would
        Files.write(stored, bytes);

        String deployment = updates.deploy(List.of(sha256), List.of(device.id()), null, null, 30);
        JsonNode state = updates.awaitEnd(deployment, device.id(), agent, PATIENCE);

        assertEquals(state.toString(), "failed", state.get("state").asText());
        assertTrue(state.toString(), state.get("reason").asText().startsWith("hash_mismatch"));
        assertEquals("nothing changed", before, bundleSet());
    }

    @Test
    public void c_aSignatureForgedWithTheAdminTokenAloneIsRefusedAndNothingChanges() throws Exception {
        Map<String, String> before = bundleSet();
        Map<String, Object> signed = signature(unresolvableSha256, updates.publisher());
        byte[] forged = Base64.getDecoder().decode((String) signed.get("signature"));
        forged[0] ^= 0x01;
        signed.put("signature", Base64.getEncoder().encodeToString(forged));
        Map<String, Object> operation = new LinkedHashMap<>();
        operation.put("action", "update");
        operation.put("symbolic_name", HARDWARE);
        operation.put("version", "0.1.501");
        operation.put("sha256", unresolvableSha256);
        operation.put("size", unresolvable.length);
        operation.put("signatures", List.of(signed));
        String id = "dep_forged_by_an_admin";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("health_timeout_seconds", 30);
        body.put("operations", List.of(operation));

        // what the cloud would send, sent by whoever holds its admin token: through the tunnel to the local API
        ReferenceCloud.Answer accepted = cloud.admin("POST", "devices/" + device.id() + "/local/api/v1/deployments",
                JSON.writeValueAsString(body));
        assertEquals(String.valueOf(accepted), 202, accepted.status());
        JsonNode[] record = new JsonNode[1];
        agent.awaitTrue(id + " ended on the device", PATIENCE, () -> {
            record[0] = JSON.readTree(Http.get(agent.url("/api/v1/deployments/" + id)).body());
            return List.of("succeeded", "rolled_back", "failed").contains(record[0].get("state").asText());
        });

        assertEquals(record[0].toString(), "failed", record[0].get("state").asText());
        assertTrue(record[0].toString(), record[0].get("reason").asText().startsWith("bad_signature"));
        assertEquals("nothing changed", before, bundleSet());
    }

    @Test
    public void d_aConfigurationValueOutOfRangeIsRefusedThroughTheTunnelAndNeverApplied() throws Exception {
        String path = "devices/" + device.id() + "/local/api/v1/config/" + TUNNEL_PID;
        JsonNode before = cloud.admin("GET", path, null).body();

        ReferenceCloud.Answer refused = cloud.admin("PUT", path, "{\"heartbeat_interval_seconds\": 0}");

        assertEquals(String.valueOf(refused), 400, refused.status());
        assertEquals(String.valueOf(refused), "invalid_configuration", refused.body().get("error").asText());
        assertEquals(String.valueOf(refused), "heartbeat_interval_seconds", refused.body().get("property").asText());
        assertTrue(String.valueOf(refused), refused.body().get("message").asText().contains(
                "heartbeat_interval_seconds"));
        assertEquals("never applied", before, cloud.admin("GET", path, null).body());
        assertTrue("the tunnel still online", updates.online(device.id()));
    }

    /** @return symbolic name -> version, state and SHA-256 of the content, of every bundle the device lists */
    private static Map<String, String> bundleSet() throws Exception {
        Map<String, String> set = new TreeMap<>();
        for (JsonNode b : updates.bundles(device.id())) {
            set.put(b.get("symbolic_name").asText(), b.get("version").asText() + " " + b.get("state").asText() + " "
                    + b.get("sha256").asText());
        }
        return set;
    }
}
