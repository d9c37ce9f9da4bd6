package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.Predicate;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.api.vault.CredentialVault;

/**
 * The whole agent against the packaged reference cloud, as a user sees it: the real provisioning bundle
 * turns a code into credentials, the tunnel goes online, and {@code GET /api/v1/saas/status} tells the
 * truth through a cloud restart, a revocation, a new URL and SaaS switched off; the cloud reads the
 * device's facts through the tunnel.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TunnelEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    private ReferenceCloud cloud;
    private Path cloudDir;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("tunnel-e2e").resolve("absent.env"), Map.of());
    }

    @Before
    public void disabledEmptyAndFastHeartbeats() throws Exception {
        Http.await(statusUrl(), 200, PATIENCE);
        configureSaas(Map.of("enabled", Boolean.FALSE));
        awaitStatus("disabled", s -> s.get("status").asText().equals("disabled"));
        vault().clear();
        Hashtable<String, Object> tunnel = new Hashtable<>();
        tunnel.put("heartbeat_interval_seconds", 1);
        tunnel.put("backoff_base_ms", 100);
        tunnel.put("backoff_cap_seconds", 2);
        configAdmin.getConfiguration("io.edgeflow.tunnel", "?").update(tunnel);
        cloudDir = EdgeFlowRuntime.newTestDirectory("tunnel-e2e-cloud").resolve("cloud");
        cloud = ReferenceCloud.start(cloudDir, 0, "--tunnel-idle-timeout", "10s");
    }

    @After
    public void stop() throws Exception {
        configureSaas(Map.of("enabled", Boolean.FALSE));
        cloud.close();
    }

    private String statusUrl() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + "/api/v1/saas/status";
    }

    private CredentialVault vault() {
        ServiceReference<CredentialVault> ref = context.getServiceReference(CredentialVault.class);
        return context.getService(ref);
    }

    private void configureSaas(Map<String, Object> settings) throws Exception {
        configAdmin.getConfiguration("io.edgeflow.saas", "?").update(new Hashtable<>(settings));
    }

    private Map<String, Object> saas(String url) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("enabled", Boolean.TRUE);
        settings.put("url", url);
        settings.put("ca_file", cloud.caFile().toString());
        settings.put("retry_initial_delay_ms", 100);
        settings.put("retry_max_delay_seconds", 1);
        return settings;
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(Http.get(statusUrl()).body());
    }

    private JsonNode awaitStatus(String what, Predicate<JsonNode> condition) throws Exception {
        return Http.awaitStatus(statusUrl(), what, condition, PATIENCE);
    }

    private static boolean online(JsonNode s) {
        return s.get("status").asText().equals("online");
    }

    /** Provisions the device with a fresh code through Config Admin and waits until its tunnel is online. */
    private JsonNode provisionAndConnect() throws Exception {
        Map<String, Object> settings = saas(cloud.url());
        settings.put(".provisioning_code", cloud.createCode(3600));
        configureSaas(settings);
        return awaitStatus("online", TunnelEndToEndIT::online);
    }

    @Test
    public void aProvisionedDeviceGoesOnlineAndTheCloudReadsItsFactsThroughTheTunnel() throws Exception {
        JsonNode status = provisionAndConnect();
        assertTrue(status.get("connected").asBoolean());
        assertTrue(status.get("error").isNull());
        assertTrue(status.get("last_heartbeat").isTextual());
        String deviceId = status.get("device_id").asText();

        JsonNode seen = cloud.device(deviceId);
        assertEquals("active", seen.get("status").asText());
        assertTrue(seen.get("online").asBoolean());

        ReferenceCloud.Answer remote = cloud.admin("GET", "devices/" + deviceId + "/local/api/v1/device/facts", null);
        assertEquals(200, remote.status());
        JsonNode local = JSON.readTree(Http.get(statusUrl().replace("saas/status", "device/facts")).body());
        assertEquals(local.get("hardware"), remote.body().get("hardware"));
        ReferenceCloud.Answer remoteStatus = cloud.admin("GET", "devices/" + deviceId + "/local/api/v1/saas/status",
                null);
        assertEquals("the device reports itself online, through the tunnel", "online",
                remoteStatus.body().get("status").asText());

        // heartbeats every second here: last_heartbeat moves on
        String first = status.get("last_heartbeat").asText();
        awaitStatus("a later heartbeat", s -> online(s) && Instant.parse(s.get("last_heartbeat").asText())
                .isAfter(Instant.parse(first)));
    }

    @Test
    public void theStatusFollowsTheCloudThroughARestart() throws Exception {
        JsonNode before = provisionAndConnect();
        int port = cloud.port();
        cloud.close();
        JsonNode offline = awaitStatus("offline", s -> s.get("status").asText().equals("offline"));
        assertFalse(offline.get("connected").asBoolean());
        assertEquals("the last answered heartbeat stays", before.get("device_id"), offline.get("device_id"));
        assertTrue(offline.get("last_heartbeat").isTextual());
        assertFalse(offline.get("error").isNull());

        cloud = ReferenceCloud.start(cloudDir, port, "--tunnel-idle-timeout", "10s");
        Instant down = Instant.parse(offline.get("last_heartbeat").asText());
        JsonNode back = awaitStatus("online again", s -> online(s)
                && Instant.parse(s.get("last_heartbeat").asText()).isAfter(down));
        assertTrue(back.get("error").isNull());
    }

    @Test
    public void aRevokedDeviceIsAnErrorThatSaysWhy() throws Exception {
        String deviceId = provisionAndConnect().get("device_id").asText();
        assertEquals(200, cloud.admin("DELETE", "devices/" + deviceId, null).status());
        JsonNode rejected = awaitStatus("credentials_rejected", s -> !s.get("error").isNull()
                && s.get("error").get("code").asText().equals("credentials_rejected"));
        assertEquals("error", rejected.get("status").asText());
        assertFalse(rejected.get("connected").asBoolean());
        assertTrue(rejected.get("error").get("message").asText().contains("revoked"));
    }

    @Test
    public void aNewUrlReconnectsAndSaasDisabledClosesTheTunnel() throws Exception {
        String deviceId = provisionAndConnect().get("device_id").asText();
        String connectedSince = cloud.device(deviceId).get("connected_since").asText();
        // the cloud shows connected_since to the second: a new tunnel is told apart once that second is over
        Instant since = Instant.parse(connectedSince);
        Http.awaitTrue("the second of connected_since over", Duration.ofSeconds(5),
                () -> Instant.now().isAfter(since.plusSeconds(1)));

        // the same cloud under another name its certificate carries: a new CloudEndpoint, a new tunnel
        configureSaas(saas("localhost:" + cloud.port()));
        Instant deadline = Instant.now().plus(PATIENCE);
        JsonNode seen = cloud.device(deviceId);
        while (Instant.now().isBefore(deadline) && (!seen.get("online").asBoolean()
                || seen.get("connected_since").asText().equals(connectedSince))) {
            Thread.sleep(100);
            seen = cloud.device(deviceId);
        }
        assertNotEquals("a new tunnel", connectedSince, seen.get("connected_since").asText());
        JsonNode status = awaitStatus("online", TunnelEndToEndIT::online);
        assertEquals("localhost:" + cloud.port(), status.get("saas_url").asText());

        configureSaas(Map.of("enabled", Boolean.FALSE));
        awaitStatus("disabled", s -> s.get("status").asText().equals("disabled") && !s.get("connected").asBoolean());
        deadline = Instant.now().plusSeconds(10);
        while (cloud.device(deviceId).get("online").asBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertFalse("the cloud sees the tunnel closed", cloud.device(deviceId).get("online").asBoolean());
    }
}
