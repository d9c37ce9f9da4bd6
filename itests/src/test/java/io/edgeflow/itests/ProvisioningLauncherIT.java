package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.edgeflow.endpoint.testing.TestConnectProxy;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The executable agent as an operator runs it, provisioned against the real reference cloud: the product
 * documentation's env files (a code; pre-provisioned credentials), a restart that does not register again,
 * the local provision API, a new code in the env file, the https_proxy environment variable, and a scan of
 * everything the agent printed proving that no API key and no provisioning code appeared in full.
 */
public class ProvisioningLauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A whole API key: efk_ and at least 12 of its symbols (a masked key shows an ellipsis and four). */
    private static final Pattern FULL_KEY = Pattern.compile("efk_[0-9a-z]{12,}");
    /** A whole provisioning code (a masked one reads PROV-****-C3D4). */
    private static final Pattern FULL_CODE = Pattern.compile("PROV-[0-9A-Z]{4}-[0-9A-Z]{4}", Pattern.CASE_INSENSITIVE);

    private final List<Process> agents = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    @After
    public void stopWhatWeStarted() throws Exception {
        for (Process p : agents) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private Process start(Path dir, Path envFile, int port, Map<String, String> extraEnv) throws IOException {
        Path log = dir.resolve("agent-" + (logs.size() + 1) + ".log");
        logs.add(log);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", EdgeFlowRuntime.launcherJar().toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EDGEFLOW_") || k.equalsIgnoreCase("https_proxy")
                || k.equalsIgnoreCase("no_proxy"));
        builder.environment().put("EDGEFLOW_ENV_FILE", envFile.toString());
        builder.environment().put("EDGEFLOW_DATA_DIR", dir.resolve("data").toString());
        builder.environment().put("EDGEFLOW_HTTP_PORT", Integer.toString(port));
        builder.environment().putAll(extraEnv);
        Process process = builder.start();
        agents.add(process);
        return process;
    }

    private static void stop(Process agent) throws InterruptedException {
        agent.destroy(); // SIGTERM
        assertTrue("the agent did not stop within 15 s of SIGTERM", agent.waitFor(15, TimeUnit.SECONDS));
    }

    private static JsonNode awaitStatus(int port, Process agent, Path log, Predicate<JsonNode> condition)
            throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!agent.isAlive()) {
                throw new AssertionError("the agent exited:\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> response = Http.get("http://127.0.0.1:" + port + "/api/v1/saas/status");
                // while the agent starts, the HTTP server may answer before the status servlet is there (a JSON
                // 404): only the status servlet's own answer is a status
                if (response.statusCode() == 200) {
                    JsonNode status = JSON.readTree(response.body());
                    if (condition.test(status)) {
                        return status;
                    }
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such status within 60 s; last: " + last + "\n" + Files.readString(log));
    }

    /** Provisioned, or further: the tunnel opens as soon as the credentials are confirmed. */
    private static Predicate<JsonNode> provisioned(Predicate<String> deviceId) {
        return s -> ProvisioningIT.provisioned(s) && deviceId.test(s.get("device_id").asText());
    }

    /** The product documentation's env file for auto-provisioning, with the reference cloud's CA. */
    private static String codeEnvFile(ReferenceCloud cloud, String code) {
        return "# /etc/edgeflow/.env\n"
                + "EDGEFLOW_SAAS_ENABLED=true\n"
                + "EDGEFLOW_SAAS_URL=" + cloud.url() + "\n"
                + "EDGEFLOW_PROVISIONING_CODE=" + code + "\n"
                + "EDGEFLOW_SAAS_CA_FILE=" + cloud.caFile() + "\n"
                + "EDGEFLOW_SAAS_RETRY_MAX_DELAY=2\n";
    }

    @Test
    public void aCodeInTheEnvFileRestartsTheApiANewCodeAndAProxyWithNoSecretInTheLogs() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("launcher-prov").toAbsolutePath();
        ReferenceCloud cloud = ReferenceCloud.start(dir.resolve("cloud"), 0);
        toClose.add(cloud);
        int port = EdgeFlowRuntime.freePort();
        Path envFile = dir.resolve(".env");
        List<String> codes = new ArrayList<>();
        List<String> keys = new ArrayList<>();

        // 1. the code from the env file
        String code1 = cloud.createCode(3600);
        codes.add(code1);
        Files.writeString(envFile, codeEnvFile(cloud, code1));
        Process agent = start(dir, envFile, port, Map.of());
        String device1 = awaitStatus(port, agent, logs.get(0), provisioned(id -> id.startsWith("dev_")))
                .get("device_id").asText();
        assertEquals("active", cloud.device(device1).get("status").asText());
        assertEquals(1, cloud.registrations(code1).size());
        stop(agent);

        // 2. a restart with the used code still in the env file: the stored credentials, no registration
        agent = start(dir, envFile, port, Map.of());
        awaitStatus(port, agent, logs.get(1), provisioned(device1::equals));
        // the run that would have registered again ends by announcing the stored credentials
        Path log1 = logs.get(1);
        Http.awaitTrue("the stored credentials announced", Duration.ofSeconds(30),
                () -> Files.readString(log1).contains("Device " + device1 + " holds confirmed credentials"));
        assertEquals("no second registration", 1, cloud.registrations(code1).size());
        assertTrue(Files.readString(logs.get(1)).contains("Device " + device1 + " holds confirmed credentials"));

        // 3. the local provision API, as the documentation's curl call does it
        String code2 = cloud.createCode(3600);
        codes.add(code2);
        HttpResponse<String> created = Http.send("POST", "http://localhost:" + port + "/api/v1/saas/provision",
                "{\"provisioning_code\": \"" + code2 + "\"}", "application/json");
        assertEquals(created.body(), 201, created.statusCode());
        JsonNode issued = JSON.readTree(created.body());
        String device2 = issued.get("device_id").asText();
        keys.add(issued.get("api_key").asText());
        assertNotEquals(device1, device2);
        awaitStatus(port, agent, logs.get(1), provisioned(device2::equals));
        stop(agent);

        // 4. a new code in the env file, the cloud reached through the https_proxy of the environment
        String code3 = cloud.createCode(3600);
        codes.add(code3);
        Files.writeString(envFile, codeEnvFile(cloud, code3));
        try (TestConnectProxy proxy = new TestConnectProxy(null)) {
            agent = start(dir, envFile, port, Map.of("https_proxy", "http://127.0.0.1:" + proxy.port()));
            String device3 = awaitStatus(port, agent, logs.get(2), provisioned(id -> !id.equals(device2)
                    && id.startsWith("dev_"))).get("device_id").asText();
            assertEquals("active", cloud.device(device3).get("status").asText());
            assertTrue("the agent went through the proxy: " + proxy.heads, proxy.heads.stream()
                    .anyMatch(h -> h.startsWith("CONNECT " + cloud.url() + " HTTP/1.1")));
            stop(agent);
        }

        // 5. nothing the agent printed holds an API key or a provisioning code in full
        assertNoSecretIn(logs, codes, keys);
        String all = readAll(logs);
        assertTrue("masked codes are how codes appear", all.contains("PROV-****-" + code1.substring(10)));
        assertTrue("masked keys are how keys appear", all.contains("efk_…"));
    }

    @Test
    public void preProvisionedCredentialsCreatedByTheAdminGoOnlineAndLeaveNoPlainKeyBehind() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("launcher-preprov").toAbsolutePath();
        ReferenceCloud cloud = ReferenceCloud.start(dir.resolve("cloud"), 0);
        toClose.add(cloud);
        // what an administrator hands out (POST /api/v1/admin/devices): the ID, the key and the env file
        JsonNode issued = cloud.createDevice("itest gateway");
        String deviceId = issued.get("device_id").asText();
        String apiKey = issued.get("api_key").asText();
        JsonNode before = cloud.device(deviceId);
        assertEquals("pending", before.get("status").asText());
        assertEquals("no facts before the device reports them", 0, before.get("network").size());
        Path envFile = dir.resolve(".env");
        // the env file exactly as the cloud wrote it
        String envText = issued.get("env_file").asText();
        assertTrue(envText, envText.contains("EDGEFLOW_SAAS_URL=" + cloud.url() + "\n")
                && envText.contains("EDGEFLOW_DEVICE_ID=" + deviceId + "\n")
                && envText.contains("EDGEFLOW_API_KEY=" + apiKey + "\n")
                && envText.contains("EDGEFLOW_SAAS_CA_FILE=" + cloud.caFile().toAbsolutePath() + "\n"));
        Files.writeString(envFile, envText);
        int port = EdgeFlowRuntime.freePort();
        Process agent = start(dir, envFile, port, Map.of());
        JsonNode status = awaitStatus(port, agent, logs.get(0), s -> provisioned(deviceId::equals).test(s)
                && !s.get("credentials_expire_at").isNull());
        assertEquals(issued.get("expires_at").asText(), status.get("credentials_expire_at").asText());
        // the cloud lists it active and online, with the facts its confirmation reported
        Http.awaitTrue("the device listed online", Duration.ofSeconds(30), () -> listed(cloud, deviceId)
                .path("online").asBoolean());
        JsonNode listed = listed(cloud, deviceId);
        assertEquals("active", listed.get("status").asText());
        assertTrue(listed.toString(), listed.get("pre_provisioned").asBoolean());
        assertFalse(listed.toString(), listed.path("network").path("hostname").asText().isEmpty());
        assertTrue(listed.toString(), listed.path("hardware").size() > 0);
        assertTrue(cloud.admin("GET", "audit?limit=100", null).body().toString().contains("device_activated"));
        stop(agent);

        agent = start(dir, envFile, port, Map.of());
        awaitStatus(port, agent, logs.get(1), provisioned(deviceId::equals));
        stop(agent);
        assertFalse("the key is adopted once", Files.readString(logs.get(1)).contains("Pre-provisioned credentials"));

        // framework storage (Config Admin's files included) and the vault hold no plain copy of the key
        byte[] needle = apiKey.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse("the API key is in " + file, ProvisioningIT.contains(Files.readAllBytes(file), needle));
            }
        }
        assertNoSecretIn(logs, List.of(), List.of(apiKey));
        assertEquals(status.get("device_id").asText(), deviceId);
    }

    /** @return the device as the cloud's device list shows it */
    private static JsonNode listed(ReferenceCloud cloud, String deviceId) throws Exception {
        for (JsonNode d : cloud.admin("GET", "devices", null).body().get("devices")) {
            if (deviceId.equals(d.get("device_id").asText())) {
                return d;
            }
        }
        throw new AssertionError(deviceId + " is not in the device list");
    }

    private static String readAll(List<Path> files) throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path f : files) {
            all.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
        }
        return all.toString();
    }

    private static void assertNoSecretIn(List<Path> logs, List<String> codes, List<String> keys) throws IOException {
        String all = readAll(logs);
        Matcher key = FULL_KEY.matcher(all);
        assertFalse("an API key was printed: " + (key.find() ? key.group() : ""), FULL_KEY.matcher(all).find());
        Matcher code = FULL_CODE.matcher(all);
        assertFalse("a provisioning code was printed: " + (code.find() ? code.group() : ""),
                FULL_CODE.matcher(all).find());
        Map<String, String> secrets = new HashMap<>();
        for (String c : codes) {
            secrets.put(c, "code");
            secrets.put(c.replace("-", "").substring(4), "code without dashes");
        }
        for (String k : keys) {
            secrets.put(k, "key");
            secrets.put(k.substring(4, 24), "part of a key");
        }
        secrets.forEach((secret, what) -> assertFalse(what + " printed", all.toUpperCase().contains(secret
                .toUpperCase())));
        assertTrue("the logs were captured", all.contains("EdgeFlow agent ready"));
    }
}
