package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

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
 * With a local API token configured ({@code EDGEFLOW_API_TOKEN}, here {@code .api_token} of {@code
 * io.edgeflow.localapi}), the cloud still reaches the device's admin endpoints through the tunnel: the tunnel's
 * requests carry its own per-start credential (docs/tunnel.md), while a caller on the network without the token, or
 * with a made-up relay credential, is refused. The real reference cloud and the agent's bundles in Felix.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TunnelRelayAuthIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String TOKEN = "itest-local-api-token-7f3a";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    private ReferenceCloud cloud;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("tunnel-relay").resolve("absent.env"), Map.of());
    }

    @Before
    public void tokenSetAndCloudStarted() throws Exception {
        Http.await(local("/api/v1/saas/status"), 200, PATIENCE);
        configureSaas(Map.of("enabled", Boolean.FALSE));
        vault().clear();
        Hashtable<String, Object> tunnel = new Hashtable<>();
        tunnel.put("heartbeat_interval_seconds", 1);
        tunnel.put("backoff_base_ms", 100);
        tunnel.put("backoff_cap_seconds", 2);
        configAdmin.getConfiguration("io.edgeflow.tunnel", "?").update(tunnel);
        localApiToken(TOKEN);
        Http.awaitTrue("the local API token in force", PATIENCE,
                () -> Http.get(local("/api/v1/bundles")).statusCode() == 401);
        cloud = ReferenceCloud.start(EdgeFlowRuntime.newTestDirectory("tunnel-relay-cloud").resolve("cloud"), 0);
    }

    @After
    public void stop() throws Exception {
        configureSaas(Map.of("enabled", Boolean.FALSE));
        localApiToken(null);
        cloud.close();
    }

    @Test
    public void theCloudReadsAndDeploysThroughTheTunnelWhileTheTokenIsSet() throws Exception {
        String deviceId = provisionAndConnect();
        String device = "devices/" + deviceId + "/local";

        ReferenceCloud.Answer bundles = cloud.admin("GET", device + "/api/v1/bundles", null);
        assertEquals(String.valueOf(bundles.body()), 200, bundles.status());
        assertTrue(bundles.body().toString(), bundles.body().get("bundles").toString().contains("io.edgeflow.tunnel"));
        ReferenceCloud.Answer components = cloud.admin("GET", device + "/api/v1/components", null);
        assertEquals(String.valueOf(components.body()), 200, components.status());
        ReferenceCloud.Answer deployments = cloud.admin("GET", device + "/api/v1/deployments", null);
        assertEquals(String.valueOf(deployments.body()), 200, deployments.status());

        // a deployment reaches the update engine (no publisher key is trusted here: refused by it, not by the caller
        // check, which would answer 401)
        ReferenceCloud.Answer deployment = cloud.admin("POST", device + "/api/v1/deployments", "{\"id\": "
                + "\"dep_relay_1\", \"operations\": [{\"action\": \"uninstall\", \"symbolic_name\": "
                + "\"io.edgeflow.itest.absent\"}]}");
        assertEquals(String.valueOf(deployment.body()), 403, deployment.status());
        assertEquals("updates_disabled", deployment.body().get("error").asText());
    }

    @Test
    public void aCallerOnTheNetworkNeedsTheTokenAndCannotPassForTheTunnel() throws Exception {
        provisionAndConnect();

        HttpResponse<String> none = Http.get(local("/api/v1/bundles"));
        assertEquals(none.body(), 401, none.statusCode());
        assertEquals("unauthorized", JSON.readTree(none.body()).get("error").asText());
        HttpResponse<String> guessed = Http.sendWithHeader("GET", local("/api/v1/bundles"), null, null,
                "Authorization", "EdgeFlow-Relay AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        assertEquals(guessed.body(), 401, guessed.statusCode());
        HttpResponse<String> deploy = Http.send("POST", local("/api/v1/deployments"), "{\"id\": \"dep_lan\", "
                + "\"operations\": [{\"action\": \"uninstall\", \"symbolic_name\": \"x\"}]}", "application/json");
        assertEquals(deploy.body(), 401, deploy.statusCode());
        HttpResponse<String> provision = Http.send("POST", local("/api/v1/saas/provision"),
                "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}", "application/json");
        assertEquals(provision.body(), 401, provision.statusCode());
        HttpResponse<String> withToken = Http.sendWithHeader("GET", local("/api/v1/bundles"), null, null,
                "Authorization", "Bearer " + TOKEN);
        assertEquals(withToken.body(), 200, withToken.statusCode());
    }

    /** Provisions the device with a fresh code through Config Admin; waits until its tunnel is online. */
    private String provisionAndConnect() throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("enabled", Boolean.TRUE);
        settings.put("url", cloud.url());
        settings.put("ca_file", cloud.caFile().toString());
        settings.put("retry_initial_delay_ms", 100);
        settings.put("retry_max_delay_seconds", 1);
        settings.put(".provisioning_code", cloud.createCode(3600));
        configureSaas(settings);
        JsonNode online = Http.awaitStatus(local("/api/v1/saas/status"), "online",
                s -> s.get("status").asText().equals("online"), PATIENCE);
        return online.get("device_id").asText();
    }

    /** Sets (or, with null, removes) the local API token, keeping the rest of the local API's configuration. */
    private void localApiToken(String token) throws Exception {
        org.osgi.service.cm.Configuration configuration = configAdmin.getConfiguration("io.edgeflow.localapi", "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        Hashtable<String, Object> values = new Hashtable<>();
        if (properties != null) {
            properties.keys().asIterator().forEachRemaining(k -> values.put(k, properties.get(k)));
        }
        if (token == null) {
            values.remove(".api_token");
        } else {
            values.put(".api_token", token);
        }
        configuration.update(values);
    }

    private void configureSaas(Map<String, Object> settings) throws Exception {
        configAdmin.getConfiguration("io.edgeflow.saas", "?").update(new Hashtable<>(settings));
    }

    private CredentialVault vault() {
        ServiceReference<CredentialVault> ref = context.getServiceReference(CredentialVault.class);
        return context.getService(ref);
    }

    private String local(String path) {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + path;
    }
}
