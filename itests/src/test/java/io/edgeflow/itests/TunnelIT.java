package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.provisioning.DeviceIdentity;
import io.edgeflow.api.tunnel.TunnelService;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.tunnel.TunnelState.Phase;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;

/**
 * The tunnel bundle in the agent's own runtime against the packaged reference cloud running as a
 * process, over TLS. The provisioning bundle's two services are test doubles registered here
 * (a {@link CloudEndpoint} trusting the cloud's CA, a {@link DeviceIdentity}); the credential vault,
 * the local API and the device facts are the real ones.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TunnelIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private CredentialVault vault;

    private ReferenceCloud cloud;
    private Path cloudDir;
    private final List<ServiceRegistration<?>> registered = new ArrayList<>();
    private ExecutorService clientThreads;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("tunnel").resolve("absent.env"), Map.of());
    }

    /** Stands in for the provisioning bundle's CloudEndpoint: HTTPS trusting the test cloud's CA. */
    static final class TestEndpoint implements CloudEndpoint {
        private final int port;
        private final HttpClient client;

        TestEndpoint(int port, HttpClient client) {
            this.port = port;
            this.client = client;
        }

        @Override
        public URI baseUri() {
            return URI.create("https://localhost:" + port);
        }

        @Override
        public URI webSocketUri(String path) {
            return URI.create("wss://localhost:" + port + path);
        }

        @Override
        public String displayUrl() {
            return "localhost:" + port;
        }

        @Override
        public HttpClient httpClient() {
            return client;
        }
    }

    @Before
    public void startCloud() throws Exception {
        cloudDir = EdgeFlowRuntime.newTestDirectory("tunnel-cloud").resolve("cloud");
        cloud = startCloud(0);
        clientThreads = Executors.newFixedThreadPool(2);
        configure(1);
    }

    @After
    public void stopCloud() throws Exception {
        for (ServiceRegistration<?> r : registered) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone
            }
        }
        registered.clear();
        vault.clear();
        cloud.close();
        clientThreads.shutdownNow();
    }

    private ReferenceCloud startCloud(int port) throws Exception {
        return ReferenceCloud.start(cloudDir, port, "--tunnel-idle-timeout", "10s", "--tunnel-request-timeout", "5s");
    }

    /** A device registered with a fresh code; its key is not confirmed yet (the tunnel confirms it). */
    private record Device(String id, String key) {
    }

    private Device register() throws Exception {
        JsonNode registered = cloud.register(cloud.createCode(3600));
        return new Device(registered.get("device_id").asText(), registered.get("api_key").asText());
    }

    private void configure(int heartbeatSeconds) throws Exception {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("heartbeat_interval_seconds", heartbeatSeconds);
        properties.put("backoff_base_ms", 100);
        properties.put("backoff_cap_seconds", 2);
        properties.put("rejected_retry_seconds", 10);
        properties.put("connect_timeout_seconds", 5);
        configAdmin.getConfiguration("io.edgeflow.tunnel", "?").update(properties);
    }

    private String localApi() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    /** Does what the provisioning bundle does once the device holds confirmed credentials. */
    private void provision(Device device) throws Exception {
        DeviceCredentials credentials = new DeviceCredentials(device.id(), device.key().toCharArray(), null,
                "localhost:" + cloud.port());
        vault.store(credentials);
        credentials.destroy();
        HttpClient client = HttpClient.newBuilder().sslContext(ReferenceCloud.trusting(cloud.caFile()))
                .executor(clientThreads)
                .connectTimeout(Duration.ofSeconds(5)).build();
        registered.add(context.registerService(CloudEndpoint.class, new TestEndpoint(cloud.port(), client), null));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceIdentity.DEVICE_ID_PROPERTY, device.id());
        registered.add(context.registerService(DeviceIdentity.class, new DeviceIdentity() {
            @Override
            public String deviceId() {
                return device.id();
            }

            @Override
            public Instant credentialsExpireAt() {
                return null;
            }
        }, props));
    }

    private TunnelState tunnel() {
        ServiceReference<TunnelService> ref = context.getServiceReference(TunnelService.class);
        if (ref == null) {
            return null;
        }
        TunnelService service = context.getService(ref);
        try {
            return service == null ? null : service.state();
        } finally {
            context.ungetService(ref);
        }
    }

    private TunnelState await(String what, Duration limit, Predicate<TunnelState> condition) throws Exception {
        Instant end = Instant.now().plus(limit);
        TunnelState last = null;
        while (Instant.now().isBefore(end)) {
            last = tunnel();
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(what + " not within " + limit + "; last state: " + last + "\ncloud log:\n" + cloud.log());
    }

    private static boolean online(TunnelState s) {
        return s.phase() == Phase.ONLINE;
    }

    @Test
    public void theCloudReadsTheDevicesRealFactsThroughTheTunnel() throws Exception {
        assertNull("no tunnel before the device is provisioned", tunnel());
        Device device = register();
        provision(device);
        TunnelState state = await("online", Duration.ofSeconds(20), TunnelIT::online);
        assertTrue(state.connected());
        assertNotNull(state.lastHeartbeat());
        assertEquals("the first tunnel confirmed the key", "active", cloud.device(device.id()).path("status").asText());

        ReferenceCloud.Answer remote = cloud.admin("GET", "devices/" + device.id() + "/local/api/v1/device/facts",
                null);
        assertEquals(String.valueOf(remote.body()), 200, remote.status());
        JsonNode viaCloud = remote.body();
        JsonNode local = JSON.readTree(Http.get(localApi() + "/api/v1/device/facts").body());
        assertEquals(local.path("hardware"), viaCloud.path("hardware"));
        assertEquals(local.path("network").path("hostname"), viaCloud.path("network").path("hostname"));
        assertFalse(viaCloud.path("hardware").path("cpu_cores").isMissingNode());

        // the agent's own status API, through the tunnel as well
        ReferenceCloud.Answer status = cloud.admin("GET", "devices/" + device.id() + "/local/api/v1/saas/status",
                null);
        assertEquals(200, status.status());
        ReferenceCloud.Answer missing = cloud.admin("GET", "devices/" + device.id() + "/local/api/v1/no/such/thing",
                null);
        assertEquals(404, missing.status());
        assertEquals("not_found", missing.body().path("error").asText());

        JsonNode seen = cloud.device(device.id());
        assertTrue(seen.path("online").asBoolean());
        Instant first = state.lastHeartbeat();
        await("a later heartbeat", Duration.ofSeconds(5), s -> s.lastHeartbeat() != null && s.lastHeartbeat().isAfter(first));
    }

    @Test
    public void aNewConfigurationReconnectsAndSaasDisabledClosesTheTunnel() throws Exception {
        Device device = register();
        provision(device);
        TunnelState first = await("online", Duration.ofSeconds(20), TunnelIT::online);
        configure(2);
        TunnelState second = await("online again", Duration.ofSeconds(20),
                s -> online(s) && s.connectedSince().isAfter(first.connectedSince()));
        assertNotEquals(first.connectedSince(), second.connectedSince());

        // SaaS disabled: the provisioning bundle withdraws the CloudEndpoint
        registered.get(0).unregister();
        assertNull("the tunnel service is gone", tunnel());
        Instant end = Instant.now().plusSeconds(5);
        while (cloud.device(device.id()).path("online").asBoolean() && Instant.now().isBefore(end)) {
            Thread.sleep(50);
        }
        assertFalse("the cloud sees the device offline", cloud.device(device.id()).path("online").asBoolean());
    }

    @Test
    public void anOutOfRangeHeartbeatIsRefusedTheTunnelKeepsRunningAndTheStatusSaysSo() throws Exception {
        Device device = register();
        provision(device);
        TunnelState first = await("online", Duration.ofSeconds(20), TunnelIT::online);
        String status = localApi() + "/api/v1/saas/status";
        assertTrue(JSON.readTree(Http.get(status).body()).path("error").isNull());

        // what a console lets through: 0, below the metatype's minimum of 1
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("io.edgeflow.tunnel", "?");
        Dictionary<String, Object> properties = config.getProperties();
        properties.put("heartbeat_interval_seconds", 0);
        config.update(properties);
        JsonNode refused = Http.awaitStatus(status, "invalid_configuration",
                s -> "invalid_configuration".equals(s.path("error").path("code").asText()), Duration.ofSeconds(10));
        String message = refused.path("error").path("message").asText();
        assertTrue(message, message.contains("io.edgeflow.tunnel") && message.contains("heartbeat_interval_seconds")
                && message.contains("running with 1"));

        // the tunnel still runs, on the last good interval (1 s): the same connection, heartbeats answered
        Instant beat = tunnel().lastHeartbeat();
        TunnelState still = await("a later heartbeat", Duration.ofSeconds(5),
                s -> online(s) && s.lastHeartbeat().isAfter(beat));
        assertEquals(first.connectedSince(), still.connectedSince());
        ReferenceCloud.Answer remote = cloud.admin("GET", "devices/" + device.id() + "/local/api/v1/saas/status", null);
        assertEquals(200, remote.status());
        assertEquals("invalid_configuration", remote.body().path("error").path("code").asText());

        // a good value again: taken, and the error is gone
        configure(2);
        Http.awaitStatus(status, "no error", s -> s.path("error").isNull(), Duration.ofSeconds(10));
        await("online on the new settings", Duration.ofSeconds(20), TunnelIT::online);
    }

    @Test
    public void withAnApiTokenSetTheCloudsCallStillPassesTheCallerRuleThroughTheTunnel() throws Exception {
        Device device = register();
        provision(device);
        await("online", Duration.ofSeconds(20), TunnelIT::online);
        org.osgi.service.cm.Configuration localApiConfig = configAdmin.getConfiguration("io.edgeflow.localapi", "?");
        try {
            Dictionary<String, Object> token = new Hashtable<>();
            token.put(".api_token", "itest-token-s3cret");
            localApiConfig.update(token);
            String body = "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}";
            HttpResponse<String> local = Http.awaitAnswer(localApi() + "/api/v1/saas/provision", body, 401,
                    Duration.ofSeconds(10));
            assertEquals("unauthorized", JSON.readTree(local.body()).path("error").asText());
            HttpResponse<String> withToken = Http.sendWithHeader("POST", localApi() + "/api/v1/saas/provision", body,
                    "application/json", "Authorization", "Bearer itest-token-s3cret");

            // the tunnel's own credential passes the caller rule (the cloud never holds the token): the call reaches
            // provisioning, whose answer, an error with its JSON body, comes back as a caller with the token gets it
            ReferenceCloud.Answer remote = cloud.admin("POST", "devices/" + device.id()
                    + "/local/api/v1/saas/provision", body);
            assertNotEquals(String.valueOf(remote.body()), 401, remote.status());
            assertEquals(String.valueOf(remote.body()), withToken.statusCode(), remote.status());
            assertNotNull("the answer lost its body on the way", remote.body());
            assertEquals(JSON.readTree(withToken.body()).path("error"), remote.body().path("error"));
        } finally {
            localApiConfig.delete();
        }
    }

    @Test
    public void aRevokedDeviceIsRejectedAndTheStateSaysWhy() throws Exception {
        Device device = register();
        provision(device);
        await("online", Duration.ofSeconds(20), TunnelIT::online);
        assertEquals(200, cloud.admin("DELETE", "devices/" + device.id(), null).status());
        TunnelState state = await("rejected", Duration.ofSeconds(10), s -> s.phase() == Phase.REJECTED);
        assertFalse(state.connected());
        assertEquals("credentials_rejected", state.error().code());
        assertTrue(state.error().message(), state.error().message().contains("revoked"));
        assertFalse("the key is never in the message", state.error().message().contains(device.key()));
    }

    @Test
    public void theAgentComesBackAfterTheCloudStopsAndCrashes() throws Exception {
        Device device = register();
        provision(device);
        await("online", Duration.ofSeconds(20), TunnelIT::online);
        for (boolean crash : new boolean[] {false, true}) {
            Instant before = tunnel().lastHeartbeat();
            if (crash) {
                cloud.kill();
            } else {
                cloud.close();
            }
            await("offline after " + (crash ? "SIGKILL" : "SIGTERM"), Duration.ofSeconds(10),
                    s -> s.phase() == Phase.OFFLINE);
            cloud = startCloud(cloud.port());
            await("online after the restart", Duration.ofSeconds(30),
                    s -> online(s) && s.lastHeartbeat().isAfter(before));
        }
        assertTrue(cloud.device(device.id()).path("online").asBoolean());
    }

    @Test
    public void updatingTheTunnelBundleTenTimesLeavesNoThreadBehind() throws Exception {
        Device device = register();
        provision(device);
        await("online", Duration.ofSeconds(20), TunnelIT::online);
        Bundle tunnelBundle = null;
        for (Bundle b : context.getBundles()) {
            if ("io.edgeflow.tunnel".equals(b.getSymbolicName())) {
                tunnelBundle = b;
            }
        }
        assertNotNull(tunnelBundle);
        tunnelBundle.update();
        await("online after a warm-up update", Duration.ofSeconds(20), TunnelIT::online);
        int before = settledThreads().size();
        for (int i = 0; i < 10; i++) {
            tunnelBundle.update();
            await("online after update " + (i + 1), Duration.ofSeconds(20), TunnelIT::online);
        }
        // an old bundle's threads end once its HTTP client is collected (a collection at every look); a thread the
        // updates leaked never ends
        Instant end = Instant.now().plusSeconds(20);
        List<String> after = threads();
        while (after.size() > before + 2 && Instant.now().isBefore(end)) {
            Thread.sleep(50); // polls: the loop ends as soon as the threads are back
            after = threads();
        }
        assertTrue("threads grew from " + before + " to " + after.size() + ": " + after, after.size() <= before + 2);
        long tunnelThreads = after.stream().filter(n -> n.startsWith("edgeflow-tunnel")).count();
        assertTrue("tunnel threads: " + after, tunnelThreads <= 1 + 4);
    }

    /** The live threads once the count stops falling: those of the warm-up's old bundle have ended. */
    private static List<String> settledThreads() throws InterruptedException {
        Instant end = Instant.now().plusSeconds(20);
        List<String> now = threads();
        while (Instant.now().isBefore(end)) {
            Thread.sleep(50); // polls
            List<String> next = threads();
            if (next.size() >= now.size()) {
                return now;
            }
            now = next;
        }
        return now;
    }

    /** The live threads, after a full collection. */
    private static List<String> threads() {
        System.gc();
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
