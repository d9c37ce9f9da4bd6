package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * "Rotate key" end to end: the reference cloud asks the executable agent, through its tunnel, to rotate its API key
 * (the dashboard's and the CLI's way); the agent asks the cloud for a new key with its current one, stores it in its
 * vault and confirms it. Afterwards the vault file is another, the cloud refuses the previous key, the device is
 * online again with the new key, and no key appears in full in the agent's log or in any answer.
 */
public class KeyRotationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Pattern FULL_KEY = Pattern.compile("efk_[0-9a-z]{12,}");

    private ReferenceCloud cloud;
    private AgentProcess agent;

    @After
    public void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    private boolean online(String deviceId) throws Exception {
        return cloud.device(deviceId).path("online").asBoolean();
    }

    @Test
    public void theCloudHasTheAgentRotateItsKeyAndTheDeviceStaysOnlineWithTheNewOne() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("key-rotation").toAbsolutePath();
        cloud = ReferenceCloud.start(dir.resolve("cloud"), 0);
        JsonNode created = cloud.createDevice("rotation");
        String id = created.get("device_id").asText();
        String oldKey = created.get("api_key").asText();
        Path dataDir = dir.resolve("agent-data");
        agent = AgentProcess.start(dir, "agent", dataDir, EdgeFlowRuntime.freePort(),
                AgentProcess.provisioned(cloud.url(), cloud.caFile(), id, oldKey, null));
        agent.awaitTrue("the device online", PATIENCE, () -> online(id));
        Path vaultFile = dataDir.resolve("vault").resolve("credentials.vault");
        byte[] vaultBefore = Files.readAllBytes(vaultFile);
        String expiryBefore = cloud.device(id).path("key_expires_at").asText();

        ReferenceCloud.Answer answer = cloud.admin("POST", "devices/" + id + "/local/api/v1/saas/rotate-key", "{}");

        // The agent reconnects its tunnel as soon as its vault holds the new key, usually before its answer is sent:
        // then the cloud answers 502 device_disconnected; an answer that got through says 200 and the new expiry.
        String body = answer.body() == null ? "" : answer.body().toString();
        assertTrue("answer: " + answer, answer.status() == 200 && answer.body().path("confirmed").asBoolean()
                || answer.status() == 502 && "device_disconnected".equals(answer.body().path("error").asText()));
        assertFalse("no key in the answer: " + body, FULL_KEY.matcher(body).find());

        agent.awaitTrue("the previous key refused after the confirmation", PATIENCE,
                () -> cloud.checkKey(id, oldKey) == 401);
        assertFalse("the vault file holds the new key", Arrays.equals(vaultBefore, Files.readAllBytes(vaultFile)));
        agent.awaitTrue("the device online again, with the new key", PATIENCE, () -> online(id));
        JsonNode device = cloud.device(id);
        assertEquals("active", device.path("status").asText());
        String oldMask = "efk_\u2026" + oldKey.substring(oldKey.length() - 4);
        boolean confirmedNewKey = false;
        for (JsonNode key : device.path("keys")) {
            if (key.path("key").asText().equals(oldMask)) {
                assertFalse("the previous key is not usable: " + key, key.path("usable").asBoolean());
            } else {
                confirmedNewKey |= "active".equals(key.path("status").asText()) && key.path("usable").asBoolean()
                        && !key.path("confirmed_at").isNull();
            }
        }
        assertTrue("a confirmed new key in " + device.path("keys"), confirmedNewKey);
        assertTrue("expiry " + expiryBefore + " -> " + device.path("key_expires_at").asText(),
                device.path("key_expires_at").asText().compareTo(expiryBefore) >= 0);
        JsonNode status = JSON.readTree(Http.get(agent.url("/api/v1/saas/status")).body());
        assertEquals(status.toString(), "online", status.path("status").asText());
        assertEquals(id, status.path("device_id").asText());

        String log = agent.log();
        Matcher full = FULL_KEY.matcher(log);
        assertFalse("a full API key in the agent's log: " + (full.find() ? full.group() : ""), FULL_KEY.matcher(log)
                .find());
        assertTrue(log, log.contains("Key rotation of " + id + ": the cloud at "));
    }
}
