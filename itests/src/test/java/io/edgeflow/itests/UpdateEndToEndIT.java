package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.*;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarInputStream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Remote updates end to end: the real reference cloud ({@link ReferenceCloud}, a process) and the executable agent
 * ({@code edgeflow.jar}, a process with pre-provisioned credentials and a trusted test publisher key). An artifact is
 * uploaded through the cloud's admin API, signed locally, deployed to the device; the cloud delivers it through the
 * tunnel, the device downloads, verifies, applies, checks and reports back. One cloud and one agent for the tests
 * a-c (each deployment starts from what the previous one left); d starts a second agent for a rollout in waves.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpdateEndToEndIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ReferenceCloud cloud;
    private static final List<Process> AGENTS = new ArrayList<>();
    private static Path testDir;
    private static Path agentLog;
    private static String deviceId;
    private static KeyPair publisher;
    private static HttpClient client;
    private static int nextMicro = 100;

    @BeforeClass
    public static void cloudAndAgent() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("update-e2e");
        testDir = dir;
        cloud = ReferenceCloud.start(dir.resolve("cloud"), 0);
        client = HttpClient.newBuilder().sslContext(ReferenceCloud.trusting(cloud.caFile()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        publisher = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String[] first = startAgent(dir, "agent");
        deviceId = first[0];
        agentLog = Path.of(first[1]);
    }

    /** @return the device id and the log of a new agent, provisioned, trusting the publisher, online */
    private static String[] startAgent(Path dir, String name) throws Exception {
        JsonNode issued = cloud.register(cloud.createCode(3600));
        String device = issued.get("device_id").asText();
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", EdgeFlowRuntime.launcherJar().toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("EDGEFLOW_"));
        env.put("EDGEFLOW_DATA_DIR", dir.resolve(name + "-data").toString());
        env.put("EDGEFLOW_ENV_FILE", dir.resolve("absent.env").toString());
        env.put("EDGEFLOW_HTTP_PORT", Integer.toString(EdgeFlowRuntime.freePort()));
        env.put("EDGEFLOW_SAAS_ENABLED", "true");
        env.put("EDGEFLOW_SAAS_URL", cloud.url());
        env.put("EDGEFLOW_SAAS_CA_FILE", cloud.caFile().toString());
        env.put("EDGEFLOW_DEVICE_ID", device);
        env.put("EDGEFLOW_API_KEY", issued.get("api_key").asText());
        env.put("EDGEFLOW_UPDATE_TRUSTED_KEYS", publicKey(publisher));
        Process process = builder.start();
        AGENTS.add(process);
        Http.awaitTrue("the agent's remote updates enabled and its tunnel online", PATIENCE, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the agent exited:\n" + Files.readString(log));
            }
            return Files.readString(log).contains("Remote updates enabled") && online(device);
        });
        return new String[] {device, log.toString()};
    }

    @AfterClass
    public static void stopWhatWeStarted() throws Exception {
        for (Process agent : AGENTS) {
            if (agent.isAlive()) {
                agent.destroy();
                if (!agent.waitFor(15, TimeUnit.SECONDS)) {
                    agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    public void a_aNewVersionIsDeliveredThroughTheTunnelAppliedAndReportedSucceeded() throws Exception {
        String version = nextVersion();
        byte[] jar = withVersion(shippedHardwareJar(), version, 100 * 1024);
        String sha256 = upload(jar);
        sign(sha256, publisher);

        long created = System.nanoTime();
        String deployment = deploy(sha256, List.of(deviceId), null, null);
        JsonNode device = awaitEnd(deployment, deviceId);
        long millis = (System.nanoTime() - created) / 1_000_000;
        System.out.println("UpdateEndToEndIT: deployment created -> succeeded in " + millis + " ms for a "
                + jar.length + " byte bundle");

        assertEquals(device.toString(), "succeeded", device.get("state").asText());
        JsonNode hardware = bundle(HARDWARE);
        assertEquals(version, hardware.get("version").asText());
        assertEquals("ACTIVE", hardware.get("state").asText());
        assertTrue("still online", online());
    }

    @Test
    public void b_aComponentThatThrowsOnActivationIsRolledBackAndTheCloudSaysWhy() throws Exception {
        JsonNode before = bundle(HARDWARE);
        String sha256 = upload(throwingHardwareJar(nextVersion()));
        sign(sha256, publisher);

        String deployment = deploy(sha256, List.of(deviceId), null, null);
        JsonNode device = awaitEnd(deployment, deviceId);

        assertEquals(device.toString(), "rolled_back", device.get("state").asText());
        assertTrue(device.toString(), device.get("reason").asText().contains("exploded on purpose"));
        JsonNode after = bundle(HARDWARE);
        assertEquals(before.get("version"), after.get("version"));
        assertEquals("ACTIVE", after.get("state").asText());
        assertTrue("still online", online());
    }

    @Test
    public void c_anArtifactSignedByAnUntrustedKeyFailsAndNothingChanges() throws Exception {
        JsonNode before = bundle(HARDWARE);
        String sha256 = upload(withVersion(shippedHardwareJar(), nextVersion()));
        sign(sha256, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());

        String deployment = deploy(sha256, List.of(deviceId), null, null);
        JsonNode device = awaitEnd(deployment, deviceId);

        assertEquals(device.toString(), "failed", device.get("state").asText());
        assertTrue(device.toString(), device.get("reason").isTextual());
        JsonNode after = bundle(HARDWARE);
        assertEquals(before.get("version"), after.get("version"));
        assertEquals("ACTIVE", after.get("state").asText());
        assertTrue("still online", online());
    }

    @Test
    public void d_whenTheFirstWaveFailsTheRolloutHaltsAndTheSecondDeviceStaysPending() throws Exception {
        String second = startAgent(testDir, "second")[0];
        String sha256 = upload(throwingHardwareJar(nextVersion()));
        sign(sha256, publisher);

        String deployment = deploy(sha256, List.of(deviceId, second), List.of(1, "100%"), 0);
        Http.awaitTrue(deployment + " halted", PATIENCE, () -> "halted".equals(cloud.admin("GET", "deployments/"
                + deployment, null).body().get("state").asText()));

        JsonNode devices = cloud.admin("GET", "deployments/" + deployment, null).body().get("devices");
        int rolledBack = 0;
        int pending = 0;
        for (JsonNode d : devices) {
            if (d.get("state").asText().equals("rolled_back")) {
                rolledBack++;
                assertEquals(d.toString(), 1, d.get("wave").asInt());
            } else if (d.get("state").asText().equals("pending")) {
                pending++;
                assertEquals(d.toString(), 2, d.get("wave").asInt());
                assertTrue(d.toString(), d.get("reason").asText().startsWith("rollout halted: wave 1 had 1"));
            }
        }
        assertEquals(devices.toString(), 1, rolledBack);
        assertEquals(devices.toString(), 1, pending);
        assertTrue("both still online", online(deviceId) && online(second));
    }

    // --- the cloud's admin API

    private static boolean online() throws Exception {
        return online(deviceId);
    }

    private static boolean online(String device) throws Exception {
        return cloud.device(device).path("online").asBoolean();
    }

    private static String adminToken() throws Exception {
        return Files.readString(cloud.dataDir().resolve("admin-token"), StandardCharsets.UTF_8).strip();
    }

    /** @return the artifact's SHA-256, after POST /api/v1/admin/artifacts with the jar's bytes */
    private static String upload(byte[] jar) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + cloud.port()
                + "/api/v1/admin/artifacts")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + adminToken())
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(response.body(), 201, response.statusCode());
        return JSON.readTree(response.body()).get("sha256").asText();
    }

    private static void sign(String sha256, KeyPair signer) throws Exception {
        Map<String, Object> signed = signature(sha256, signer);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("public_key", signed.get("public_key"));
        body.put("signature", signed.get("signature"));
        ReferenceCloud.Answer answer = cloud.admin("POST", "artifacts/" + sha256 + "/signatures",
                JSON.writeValueAsString(body));
        assertTrue(String.valueOf(answer), answer.status() == 200 || answer.status() == 201);
    }

    /** @return the id of a new deployment that updates the hardware facts to the artifact */
    private static String deploy(String sha256, Object devices, List<Object> waves, Integer maxFailures)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operations", List.of(Map.of("action", "update", "artifact", sha256)));
        body.put("devices", devices);
        if (waves != null) {
            body.put("waves", waves);
        }
        if (maxFailures != null) {
            body.put("max_failures", maxFailures);
        }
        body.put("health_timeout_seconds", 30);
        ReferenceCloud.Answer answer = cloud.admin("POST", "deployments", JSON.writeValueAsString(body));
        assertEquals(String.valueOf(answer), 201, answer.status());
        return answer.body().get("id").asText();
    }

    private static JsonNode deviceState(String deployment, String device) throws Exception {
        ReferenceCloud.Answer answer = cloud.admin("GET", "deployments/" + deployment, null);
        assertEquals(String.valueOf(answer), 200, answer.status());
        for (JsonNode d : answer.body().get("devices")) {
            if (d.get("device_id").asText().equals(device)) {
                return d;
            }
        }
        throw new AssertionError(device + " is not in " + answer.body());
    }

    /** @return the device's entry in the deployment once it has an end state in the cloud */
    private static JsonNode awaitEnd(String deployment, String device) throws Exception {
        JsonNode[] seen = new JsonNode[1];
        try {
            Http.awaitTrue(device + " at an end state in " + deployment, PATIENCE, () -> {
                seen[0] = deviceState(deployment, device);
                return List.of("succeeded", "rolled_back", "failed", "cancelled").contains(
                        seen[0].get("state").asText());
            });
        } catch (AssertionError e) {
            throw new AssertionError("last seen: " + seen[0] + "\nagent log:\n" + Files.readString(agentLog)
                    + "\ncloud log:\n" + cloud.log(), e);
        }
        return seen[0];
    }

    /** @return the bundle as the device lists it, read through the tunnel */
    private static JsonNode bundle(String symbolicName) throws Exception {
        ReferenceCloud.Answer answer = cloud.admin("GET", "devices/" + deviceId + "/local/api/v1/bundles", null);
        assertEquals(String.valueOf(answer), 200, answer.status());
        for (JsonNode b : answer.body().get("bundles")) {
            if (symbolicName.equals(b.get("symbolic_name").asText())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed: " + answer.body());
    }

    // --- the bundles built by the test

    private static synchronized String nextVersion() throws Exception {
        String[] shipped = new JarInputStream(new java.io.ByteArrayInputStream(shippedHardwareJar())).getManifest()
                .getMainAttributes().getValue("Bundle-Version").split("\\.");
        return shipped[0] + "." + shipped[1] + "." + (Integer.parseInt(shipped[2]) + nextMicro++);
    }

}
