package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.publicKey;
import static io.edgeflow.itests.UpdateArtifacts.signature;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real reference cloud with the remote update side of its admin API (docs/updates.md), as an operator drives
 * it: upload an artifact, sign it with the test's publisher key, create a deployment, read the devices' states, the
 * bundles a device runs (through its tunnel) and the audit trail; and the executable agents ({@link AgentProcess})
 * registered with it. {@link #close()} stops the agents it started, then the cloud.
 */
public final class CloudUpdates implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> END_STATES = List.of("succeeded", "rolled_back", "failed", "cancelled");
    private static final Duration ONLINE_PATIENCE = Duration.ofSeconds(120);

    private final Path dir;
    private final ReferenceCloud cloud;
    private final HttpClient client;
    private final KeyPair publisher;
    private final List<AgentProcess> agents = new ArrayList<>();

    private CloudUpdates(Path dir, ReferenceCloud cloud, KeyPair publisher) throws Exception {
        this.dir = dir;
        this.cloud = cloud;
        this.publisher = publisher;
        this.client = HttpClient.newBuilder().sslContext(ReferenceCloud.trusting(cloud.caFile()))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Starts a cloud in a fresh test directory and makes a publisher key pair (Ed25519) for the test.
     *
     * @param name names the test directory
     */
    public static CloudUpdates start(String name) throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory(name).toAbsolutePath();
        ReferenceCloud cloud = ReferenceCloud.start(dir.resolve("cloud"), 0);
        try {
            return new CloudUpdates(dir, cloud, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (Exception | Error e) {
            cloud.close();
            throw e;
        }
    }

    /** Stops the agents started through this object, then the cloud. */
    @Override
    public void close() throws InterruptedException {
        for (AgentProcess agent : agents) {
            agent.close();
        }
        cloud.close();
    }

    /** @return the test's directory: the cloud's data, the agents' logs and data */
    public Path dir() {
        return dir;
    }

    /** @return the publisher's key pair, whose public key the agents trust */
    public KeyPair publisher() {
        return publisher;
    }

    public ReferenceCloud cloud() {
        return cloud;
    }

    /** A device registered with the cloud: its id and API key. */
    public record Device(String id, String apiKey) {
    }

    /** @return a new device, registered with a fresh provisioning code */
    public Device register() throws Exception {
        JsonNode issued = cloud.register(cloud.createCode(3600));
        return new Device(issued.get("device_id").asText(), issued.get("api_key").asText());
    }

    /**
     * Starts the executable agent for the device with its credentials (data directory {@code <name>-data}, a free
     * port), trusting the publisher's key or none, and waits until its update bundle says whether remote updates
     * are enabled and its tunnel is online.
     */
    public AgentProcess startAgent(String name, Device device, boolean trusting) throws Exception {
        AgentProcess agent = startAgent(name, dir.resolve(name + "-data"), EdgeFlowRuntime.freePort(),
                agentEnvironment(device, trusting));
        agent.awaitTrue("the agent's update bundle started and its tunnel online", ONLINE_PATIENCE,
                () -> agent.log().contains("Remote updates ") && online(device.id()));
        return agent;
    }

    /** Starts the executable agent with this environment ({@link #agentEnvironment}); returns at once. */
    public AgentProcess startAgent(String name, Path dataDir, int port, Map<String, String> env) throws Exception {
        AgentProcess agent = AgentProcess.start(dir, name, dataDir, port, env);
        agents.add(agent);
        return agent;
    }

    /** @return the environment of an agent with the device's credentials, trusting the publisher's key or none */
    public Map<String, String> agentEnvironment(Device device, boolean trusting) {
        return AgentProcess.provisioned(cloud.url(), cloud.caFile(), device.id(), device.apiKey(),
                trusting ? publicKey(publisher) : null);
    }

    public boolean online(String deviceId) throws Exception {
        return cloud.device(deviceId).path("online").asBoolean();
    }

    /** @return the artifact's SHA-256, after POST /api/v1/admin/artifacts with the jar's bytes */
    public String upload(byte[] jar) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + cloud.port()
                + "/api/v1/admin/artifacts")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + Files.readString(cloud.dataDir().resolve("admin-token"),
                        StandardCharsets.UTF_8).strip())
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new AssertionError("upload: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get("sha256").asText();
    }

    /** Adds a signature by this key pair (made here, as the CLI does on the publisher's machine). */
    public void sign(String sha256, KeyPair signer) throws Exception {
        Map<String, Object> signed = signature(sha256, signer);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("public_key", signed.get("public_key"));
        body.put("signature", signed.get("signature"));
        ReferenceCloud.Answer answer = cloud.admin("POST", "artifacts/" + sha256 + "/signatures",
                JSON.writeValueAsString(body));
        if (answer.status() != 200 && answer.status() != 201) {
            throw new AssertionError("signature refused: " + answer);
        }
    }

    /** @return the SHA-256 of the jar, uploaded and signed by the publisher */
    public String publish(byte[] jar) throws Exception {
        String sha256 = upload(jar);
        sign(sha256, publisher);
        return sha256;
    }

    /**
     * @param waves null for the default (all at once)
     * @param maxFailures null for the default (0)
     * @return the id of a new deployment that updates each device to the artifacts (one update operation each)
     */
    public String deploy(List<String> sha256s, List<String> devices, List<Object> waves, Integer maxFailures,
            int healthTimeoutSeconds) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        List<Map<String, Object>> operations = new ArrayList<>();
        for (String sha256 : sha256s) {
            operations.add(Map.of("action", "update", "artifact", sha256));
        }
        body.put("operations", operations);
        body.put("devices", devices);
        if (waves != null) {
            body.put("waves", waves);
        }
        if (maxFailures != null) {
            body.put("max_failures", maxFailures);
        }
        body.put("health_timeout_seconds", healthTimeoutSeconds);
        ReferenceCloud.Answer answer = cloud.admin("POST", "deployments", JSON.writeValueAsString(body));
        if (answer.status() != 201) {
            throw new AssertionError("deployment not created: " + answer);
        }
        return answer.body().get("id").asText();
    }

    public JsonNode deployment(String id) throws Exception {
        ReferenceCloud.Answer answer = cloud.admin("GET", "deployments/" + id, null);
        if (answer.status() != 200) {
            throw new AssertionError("GET deployments/" + id + ": " + answer);
        }
        return answer.body();
    }

    /** @return the device's entry in the deployment */
    public JsonNode deviceState(String deployment, String deviceId) throws Exception {
        JsonNode d = deployment(deployment);
        for (JsonNode t : d.get("devices")) {
            if (t.get("device_id").asText().equals(deviceId)) {
                return t;
            }
        }
        throw new AssertionError(deviceId + " is not in " + d);
    }

    /** @return the device's entry once the cloud has an end state for it */
    public JsonNode awaitEnd(String deployment, String deviceId, AgentProcess agent, Duration patience)
            throws Exception {
        JsonNode[] seen = new JsonNode[1];
        try {
            Http.awaitTrue(deviceId + " at an end state in " + deployment, patience, () -> {
                seen[0] = deviceState(deployment, deviceId);
                return END_STATES.contains(seen[0].get("state").asText());
            });
        } catch (AssertionError e) {
            throw new AssertionError("last seen: " + seen[0] + "\nagent log:\n" + (agent == null ? "-" : agent.tail())
                    + "\ncloud log:\n" + cloud.log(), e);
        }
        return seen[0];
    }

    /** @return the bundle as the device lists it, read through its tunnel ({@code devices bundles ID}) */
    public JsonNode bundle(String deviceId, String symbolicName) throws Exception {
        for (JsonNode b : bundles(deviceId)) {
            if (symbolicName.equals(b.get("symbolic_name").asText())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed on " + deviceId);
    }

    /** @return every bundle the device lists, read through its tunnel */
    public JsonNode bundles(String deviceId) throws Exception {
        ReferenceCloud.Answer answer = cloud.admin("GET", "devices/" + deviceId + "/local/api/v1/bundles", null);
        if (answer.status() != 200) {
            throw new AssertionError("bundles of " + deviceId + ": " + answer);
        }
        return answer.body().get("bundles");
    }

    /** @return the audit events whose text names the deployment, oldest first */
    public List<JsonNode> audit(String deployment) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode e : cloud.admin("GET", "audit?limit=1000", null).body().get("events")) {
            if (e.toString().contains(deployment)) {
                events.add(0, e);
            }
        }
        return events;
    }
}
