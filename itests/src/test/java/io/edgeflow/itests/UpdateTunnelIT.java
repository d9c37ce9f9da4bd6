package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.shippedJar;
import static io.edgeflow.itests.UpdateArtifacts.withVersion;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An update of the tunnel bundle while the device is online, through the real reference cloud: the deployment
 * reaches the device through the very tunnel it replaces, the device reports over HTTPS, and its health check waits
 * until the new tunnel is online again (docs/updates-device.md). A tunnel build that cannot connect (it offers a
 * tunnel protocol the cloud does not speak) fails that check and is rolled back by the device itself, which is then
 * online again. One cloud and one executable agent ({@code launcher/target/edgeflow}) for both tests.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpdateTunnelIT {
    private static final String TUNNEL = "io.edgeflow.tunnel";
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private static CloudUpdates updates;
    private static AgentProcess agent;
    private static CloudUpdates.Device device;

    @BeforeClass
    public static void cloudAndAgent() throws Exception {
        updates = CloudUpdates.start("update-tunnel");
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
    public void a_theTunnelBundleIsReplacedThroughItselfAndComesBackOnline() throws Exception {
        String version = "0.1.101";
        String sha256 = updates.publish(withVersion(shippedJar(TUNNEL), version));

        String deployment = updates.deploy(List.of(sha256), List.of(device.id()), null, null, 60);
        JsonNode state = updates.awaitEnd(deployment, device.id(), agent, PATIENCE);

        assertEquals(state.toString(), "succeeded", state.get("state").asText());
        agent.awaitTrue("the device online again", PATIENCE, () -> updates.online(device.id()));
        // read through the tunnel: the new tunnel carries the request
        JsonNode tunnel = updates.bundle(device.id(), TUNNEL);
        assertEquals(version, tunnel.get("version").asText());
        assertEquals("ACTIVE", tunnel.get("state").asText());
        assertTrue(agent.log().contains("Deployment " + deployment + " succeeded: update " + TUNNEL + " " + version));
        long opened = agent.log().lines().filter(l -> l.contains("TunnelClient - Tunnel to ")
                && l.contains(" online (device ")).count();
        assertTrue("the new tunnel bundle opened a tunnel of its own: " + opened + " 'online' lines", opened >= 2);
    }

    @Test
    public void b_aTunnelThatCannotConnectIsRolledBackAndTheDeviceIsOnlineAgain() throws Exception {
        JsonNode before = updates.bundle(device.id(), TUNNEL);
        String version = "0.1.102";
        byte[] jar = speakingAnotherProtocol(withVersion(shippedJar(TUNNEL), version));
        String sha256 = updates.publish(jar);

        String deployment = updates.deploy(List.of(sha256), List.of(device.id()), null, null, 10);
        JsonNode state = updates.awaitEnd(deployment, device.id(), agent, PATIENCE);

        assertEquals(state.toString(), "rolled_back", state.get("state").asText());
        assertTrue(state.toString(), state.get("reason").asText().startsWith("health_check_timeout"));
        assertEquals(state.toString(), TUNNEL, state.get("failed").get("bundle").asText());
        assertTrue(state.toString(), state.get("failed").get("message").asText().contains("not online"));
        agent.awaitTrue("the device online again", PATIENCE, () -> updates.online(device.id()));
        JsonNode after = updates.bundle(device.id(), TUNNEL);
        // the version only: a rollback installs a copy rebuilt from the bundle's entries (docs/updates-device.md),
        // the same entries in another jar file, so the SHA-256 of the file differs
        assertEquals("the previous tunnel runs again", before.get("version"), after.get("version"));
        assertEquals("ACTIVE", after.get("state").asText());
        assertTrue(agent.log(), agent.log().contains("tunnel_protocol_unsupported")
                || agent.log().contains("did not accept the tunnel protocol"));
    }

    /**
     * @return the tunnel bundle with its sub-protocol renamed {@code edgeflow.tunnel.v9} in every class (a string of
     *         the same length in the constant pool): it starts, and the cloud refuses its every handshake
     */
    private static byte[] speakingAnotherProtocol(byte[] jar) throws Exception {
        byte[] from = "edgeflow.tunnel.v1".getBytes(StandardCharsets.UTF_8);
        byte[] to = "edgeflow.tunnel.v9".getBytes(StandardCharsets.UTF_8);
        int replaced = 0;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    byte[] content = in.readAllBytes();
                    if (e.getName().endsWith(".class")) {
                        for (int i = 0; i + from.length <= content.length; i++) {
                            if (Arrays.equals(content, i, i + from.length, from, 0, from.length)) {
                                System.arraycopy(to, 0, content, i, to.length);
                                replaced++;
                            }
                        }
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    out.write(content);
                    out.closeEntry();
                }
            }
        }
        assertTrue("the protocol's name is in the tunnel's classes", replaced > 0);
        return bytes.toByteArray();
    }
}
