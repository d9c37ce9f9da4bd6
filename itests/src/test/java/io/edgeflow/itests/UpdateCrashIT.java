package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.*;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.Writer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A kill -9 of the agent during a deployment's health check (the agent as a process: edgeflow.jar's own
 * {@code Main.start()}, see {@link AgentWithTestCommands}): at the next start the update bundle reads its journal,
 * completes the check, finds it failing and rolls back, so the device runs the previous hardware facts bundle and the
 * cloud is told {@code rolled_back}. The new version's component waits for a service nobody provides: the check
 * waits for it until its deadline, which leaves the time to kill the agent in {@code checking}.
 */
public class UpdateCrashIT {
    private static final String COMPONENT = "io.edgeflow.facts.hardware.internal.HardwareFactsComponent";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> started = new ArrayList<>();
    private MinimalUpdateCloud cloud;

    @After
    public void stopWhatWeStarted() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    /** One run of the agent on a data directory, with its log and its test commands. */
    private final class Agent {
        final Process process;
        final Path log;
        final Writer commands;
        final int port;
        int commandId;

        Agent(Path dir, String name, int port, String trustedKey) throws Exception {
            this.port = port;
            log = dir.resolve(name + ".log");
            Path testClasses = Path.of(AgentWithTestCommands.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", EdgeFlowRuntime.launcherJar() + java.io.File.pathSeparator + testClasses,
                    AgentWithTestCommands.class.getName()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("EDGEFLOW_"));
            env.put("EDGEFLOW_DATA_DIR", dir.resolve("data").toString());
            env.put("EDGEFLOW_ENV_FILE", dir.resolve("absent.env").toString());
            env.put("EDGEFLOW_HTTP_PORT", Integer.toString(port));
            env.put("EDGEFLOW_SAAS_ENABLED", "true");
            env.put("EDGEFLOW_SAAS_URL", cloud.url());
            env.put("EDGEFLOW_SAAS_CA_FILE", cloud.caFile().toString());
            env.put("EDGEFLOW_DEVICE_ID", cloud.deviceId());
            env.put("EDGEFLOW_API_KEY", cloud.apiKey());
            env.put("EDGEFLOW_UPDATE_TRUSTED_KEYS", trustedKey);
            process = builder.start();
            started.add(process);
            commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            awaitLine("EdgeFlow agent ready");
        }

        void awaitLine(String needle) throws Exception {
            Http.awaitTrue("a line with '" + needle + "' in " + log, Duration.ofSeconds(60), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the agent exited:\n" + Files.readString(log));
                }
                return Files.readString(log, StandardCharsets.UTF_8).contains(needle);
            });
        }

        /** @return the version of the hardware facts bundle in the framework, through the test commands */
        String hardwareVersion() throws Exception {
            int id = ++commandId;
            commands.write(id + " list\n");
            commands.flush();
            String prefix = "itest " + id + ": ";
            awaitLine(prefix + "done");
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix + "bundle " + HARDWARE + " ")) {
                    return line.substring((prefix + "bundle " + HARDWARE + " ").length());
                }
            }
            throw new AssertionError(HARDWARE + " is not installed:\n" + Files.readString(log));
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        void kill9() throws Exception {
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    public void aKillDuringTheHealthCheckIsRolledBackAtTheNextStart() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("update-crash");
        cloud = MinimalUpdateCloud.start(dir.resolve("cloud"));
        KeyPair publisher = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String trusted = "ed25519:" + Base64.getEncoder().encodeToString(publisher.getPublic().getEncoded());
        int port = EdgeFlowRuntime.freePort();

        Agent first = new Agent(dir, "first", port, trusted);
        first.awaitLine("Remote updates enabled");
        String shipped = first.hardwareVersion();
        byte[] jar = neverSatisfied(shippedHardwareJar(), "0.9.0");
        String id = "dep_crash_check";
        HttpResponse<String> accepted = Http.send("POST", first.url("/api/v1/deployments"), deployment(id,
                operation(jar, "0.9.0", publisher)), "application/json");
        assertEquals(accepted.body(), 202, accepted.statusCode());
        Http.awaitTrue(id + " in checking", Duration.ofSeconds(60), () -> JSON.readTree(Http.get(first.url(
                "/api/v1/deployments/" + id)).body()).get("state").asText().equals("checking"));
        assertEquals("applied, being checked", "0.9.0", first.hardwareVersion());
        first.kill9();

        Agent second = new Agent(dir, "second", port, trusted);
        JsonNode[] record = new JsonNode[1];
        Http.awaitTrue(id + " rolled back after the restart", Duration.ofSeconds(90), () -> {
            record[0] = JSON.readTree(Http.get(second.url("/api/v1/deployments/" + id)).body());
            return record[0].get("state").asText().equals("rolled_back");
        });
        assertTrue(record[0].toString(), record[0].get("reason").asText().startsWith("health_check_timeout"));
        assertEquals(record[0].toString(), COMPONENT, record[0].get("failed").get("component").asText());
        assertEquals("the previous version runs again", shipped, second.hardwareVersion());
        Http.awaitTrue("the previous facts answer", Duration.ofSeconds(30),
                () -> Http.get(second.url("/api/v1/device/facts")).statusCode() == 200);
        Http.awaitTrue("the cloud told rolled_back", Duration.ofSeconds(30),
                () -> cloud.reports(id).contains("rolled_back"));
        assertTrue(Files.readString(second.log).contains("Deployment " + id + " was checking when the update bundle "
                + "stopped"));
    }

    // --- the cloud's side (UPDATES-CONTRACT.md)

    private Map<String, Object> operation(byte[] jar, String version, KeyPair signer) throws Exception {
        return update(HARDWARE, version, cloud.publish(jar), jar, signer);
    }

    private static String deployment(String id, Map<String, Object> operation) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("health_timeout_seconds", 10);
        body.put("operations", List.of(operation));
        return JSON.writeValueAsString(body);
    }

    // --- the bundle built by the test

    /**
     * @return the shipped bundle at another version, its component given a mandatory reference to a service nobody
     *         provides: it stays unsatisfied, the health check waits for it
     */
    private static byte[] neverSatisfied(byte[] jar, String version) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    byte[] content = in.readAllBytes();
                    if (e.getName().equals("OSGI-INF/" + COMPONENT + ".xml")) {
                        String xml = new String(content, StandardCharsets.UTF_8);
                        assertTrue(xml, xml.contains("<implementation"));
                        content = xml.replace("<implementation", "<reference name=\"never\" interface="
                                + "\"io.edgeflow.itest.NeverProvided\"/>\n  <implementation")
                                .getBytes(StandardCharsets.UTF_8);
                    }
                    out.write(content);
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

}
