package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.HARDWARE;
import static io.edgeflow.itests.UpdateArtifacts.shippedHardwareJar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.itests.updates.HoldingActivator;

/**
 * A kill -9 of the executable agent inside a deployment's {@code applying} step, through the real reference cloud
 * (UpdateCrashIT kills it in {@code checking}). The new hardware facts build holds its start while a file of the
 * test exists ({@link HoldingActivator}, test only), so the update bundle's {@code Bundle.update} is under way when
 * the agent is killed: the bundle is replaced in the framework, the journal says {@code applying}. At the next start
 * the update bundle rolls back (docs/updates-device.md, crash safety): the device runs exactly the set it ran before,
 * and the cloud is told {@code rolled_back}.
 */
public class UpdateApplyCrashIT {
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudUpdates updates;

    @After
    public void stopWhatWeStarted() throws Exception {
        if (updates != null) {
            updates.close();
        }
    }

    @Test
    public void aKillDuringTheApplyIsRolledBackAtTheNextStartAndTheCloudIsTold() throws Exception {
        updates = CloudUpdates.start("update-apply-crash");
        CloudUpdates.Device device = updates.register();
        Path data = updates.dir().resolve("data");
        int port = EdgeFlowRuntime.freePort();
        Path hold = updates.dir().resolve("hold-the-apply");
        Map<String, String> env = new TreeMap<>(updates.agentEnvironment(device, true));
        env.put("ITEST_HOLD_FILE", hold.toString());
        AgentProcess first = updates.startAgent("first", data, port, env);
        first.awaitTrue("updates enabled and online", PATIENCE,
                () -> first.log().contains("Remote updates enabled") && updates.online(device.id()));
        Map<String, String> before = bundleSet(updates.bundles(device.id()));

        Files.createFile(hold);
        String sha256 = updates.publish(holding(shippedHardwareJar(), "0.1.201"));
        String deployment = updates.deploy(List.of(sha256), List.of(device.id()), null, null, 30);
        first.awaitLine(HoldingActivator.HOLDING, PATIENCE);
        JsonNode local = JSON.readTree(Http.get(first.url("/api/v1/deployments/" + deployment)).body());
        assertEquals("killed inside the apply: " + local, "applying", local.get("state").asText());
        first.kill9();
        Files.delete(hold);

        AgentProcess second = updates.startAgent("second", data, port, env);
        JsonNode state = updates.awaitEnd(deployment, device.id(), second, PATIENCE);

        assertEquals(state.toString(), "rolled_back", state.get("state").asText());
        assertTrue(state.toString(), state.get("reason").asText().startsWith("interrupted"));
        second.awaitTrue("the device online again", PATIENCE, () -> updates.online(device.id()));
        assertEquals("the same bundles, versions, contents and states as before the deployment", before,
                bundleSet(updates.bundles(device.id())));
        JsonNode record = JSON.readTree(Http.get(second.url("/api/v1/deployments/" + deployment)).body());
        assertEquals(record.toString(), "rolled_back", record.get("state").asText());
        assertTrue(second.log().contains("Deployment " + deployment + " was applying when the update bundle stopped: "
                + "rolling back"));
        Http.awaitTrue("the facts answer", PATIENCE, () -> Http.get(second.url("/api/v1/device/facts"))
                .statusCode() == 200);
        List<String> audited = updates.audit(deployment).stream().filter(e -> e.path("event").asText()
                .equals("deployment_state")).map(e -> e.path("result").asText()).toList();
        assertTrue(audited.toString(), audited.contains("applying") && audited.contains("rolled_back"));
    }

    /**
     * @return symbolic name -> version, state and SHA-256 of the content, of every bundle the device lists; for the
     *         hardware facts bundle without the SHA-256: a rollback installs a copy rebuilt from the bundle's entries
     *         (docs/updates-device.md), the same entries in another jar file
     */
    private static Map<String, String> bundleSet(JsonNode bundles) {
        Map<String, String> set = new TreeMap<>();
        for (JsonNode b : bundles) {
            String name = b.get("symbolic_name").asText();
            set.put(name, b.get("version").asText() + " " + b.get("state").asText()
                    + (name.equals(HARDWARE) ? "" : " " + b.get("sha256").asText()));
        }
        return set;
    }

    /** @return the hardware facts jar at another version, with {@link HoldingActivator} as its activator */
    private static byte[] holding(byte[] jar, String version) throws Exception {
        String entry = HoldingActivator.class.getName().replace('.', '/') + ".class";
        byte[] activator;
        try (InputStream in = HoldingActivator.class.getClassLoader().getResourceAsStream(entry)) {
            activator = in.readAllBytes();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            Attributes main = manifest.getMainAttributes();
            main.putValue("Bundle-Version", version);
            main.putValue("Bundle-Activator", HoldingActivator.class.getName());
            main.putValue("Import-Package", main.getValue("Import-Package") + ",org.osgi.framework");
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                out.putNextEntry(new JarEntry(entry));
                out.write(activator);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
