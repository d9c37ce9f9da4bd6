package io.edgeflow.itests;

import static io.edgeflow.itests.UpdateArtifacts.*;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.api.cloud.CloudEndpoint;

/**
 * Remote updates in a real Felix with the agent's bundles (docs/updates-device.md): the cloud's deployment is posted
 * to the local API as the tunnel would deliver it, the device downloads the artifacts over HTTPS from an
 * {@link UpdateCloud} with its API key, verifies them against its trusted key, applies, checks and commits or rolls
 * back, and reports each state. The hardware facts bundle is the one replaced: by a new version of itself, by one
 * whose component throws on activation, by one that does not resolve, and by one with a bad signature.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UpdateIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String SELF = "io.edgeflow.update";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;

    private UpdateCloud cloud;
    private KeyPair publisher;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("update").resolve("absent.env"), Map.of());
    }

    @Before
    public void cloudAndTrust() throws Exception {
        cloud = MinimalUpdateCloud.start(EdgeFlowRuntime.newTestDirectory("update-cloud"));
        publisher = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Hashtable<String, Object> update = new Hashtable<>();
        update.put("trusted_keys", new String[] {publicKey(publisher)});
        configAdmin.getConfiguration("io.edgeflow.update", "?").update(update);
        Hashtable<String, Object> saas = new Hashtable<>();
        saas.put("enabled", Boolean.TRUE);
        saas.put("url", cloud.url());
        saas.put("ca_file", cloud.caFile().toString());
        saas.put("device_id", cloud.deviceId());
        saas.put(".api_key", cloud.apiKey());
        configAdmin.getConfiguration("io.edgeflow.saas", "?").update(saas);
        awaitTrusted(publicKey(publisher));
        String port = ":" + cloud.url().substring(cloud.url().lastIndexOf(':') + 1);
        Http.awaitTrue("the cloud endpoint at " + cloud.url(), PATIENCE, () -> {
            ServiceReference<CloudEndpoint> ref = context.getServiceReference(CloudEndpoint.class);
            return ref != null && context.getService(ref).baseUri().toString().contains(port);
        });
    }

    @After
    public void stopCloud() throws Exception {
        configAdmin.getConfiguration("io.edgeflow.saas", "?").update(new Hashtable<>(Map.of("enabled",
                Boolean.FALSE)));
        cloud.close();
    }

    @Test
    public void aNewVersionOfTheHardwareFactsIsAppliedAndAnswers() throws Exception {
        Version before = hardware().getVersion();
        String version = nextVersion(before);
        byte[] jar = withVersion(shippedHardwareJar(), version);
        String id = "dep_new_" + NEXT.incrementAndGet();

        HttpResponse<String> accepted = post(deployment(id, List.of(update(jar, version, publisher))));
        assertEquals(accepted.body(), 202, accepted.statusCode());
        JsonNode record = awaitEnd(id);

        assertEquals(record.toString(), "succeeded", record.get("state").asText());
        assertEquals(version, hardware().getVersion().toString());
        assertEquals(Bundle.ACTIVE, hardware().getState());
        assertEquals(200, Http.get(local("/api/v1/device/facts")).statusCode());
        awaitReported(id, "succeeded");
        assertTrue(cloud.reports(id).toString(), cloud.reports(id).containsAll(List.of("downloading", "verifying",
                "applying", "checking", "succeeded")));
        JsonNode list = JSON.readTree(get("/api/v1/deployments").body());
        assertEquals(id, list.get("deployments").get(0).get("id").asText());
        HttpResponse<String> again = post(deployment(id, List.of(update(jar, version, publisher))));
        assertEquals("a redelivery is answered with the record", 200, again.statusCode());
    }

    @Test
    public void theUpdateBundleUpdatesItselfAndItsNextActivationCommits() throws Exception {
        Bundle self = bundle(SELF);
        String version = nextVersion(self.getVersion());
        byte[] jar = withVersion(shippedJar(SELF), version);
        String id = "dep_self_" + NEXT.incrementAndGet();

        assertEquals(202, post(deployment(id, List.of(update(SELF, jar, version, publisher)))).statusCode());
        JsonNode record = awaitEnd(id);

        assertEquals(record.toString(), "succeeded", record.get("state").asText());
        assertEquals(version, bundle(SELF).getVersion().toString());
        assertEquals(Bundle.ACTIVE, bundle(SELF).getState());
        awaitReported(id, "succeeded");
        // still trusting its publisher: the next deployment is taken (202), not refused as updates_disabled (403)
        String next = "dep_after_self_" + NEXT.incrementAndGet();
        HttpResponse<String> after = post(deployment(next, List.of(Map.<String, Object>of("action", "uninstall", "symbolic_name",
                "io.edgeflow.itest.absent"))));
        assertEquals(after.body(), 202, after.statusCode());
        JsonNode refused = awaitEnd(next);
        assertTrue(refused.toString(), refused.get("reason").asText().startsWith("not_installed"));
    }

    @Test
    public void aComponentThatThrowsOnActivationIsRolledBack() throws Exception {
        Version before = hardware().getVersion();
        String version = nextVersion(before);
        byte[] jar = throwingHardwareJar(version);
        String id = "dep_throw_" + NEXT.incrementAndGet();

        assertEquals(202, post(deployment(id, List.of(update(jar, version, publisher)))).statusCode());
        JsonNode record = awaitEnd(id);

        assertEquals(record.toString(), "rolled_back", record.get("state").asText());
        assertTrue(record.toString(), record.get("failed").get("message").asText().contains("exploded on purpose"));
        assertEquals(HARDWARE, record.get("failed").get("bundle").asText());
        assertEquals(before, hardware().getVersion());
        assertEquals(Bundle.ACTIVE, hardware().getState());
        Http.awaitTrue("the previous facts answer", PATIENCE,
                () -> Http.get(local("/api/v1/device/facts")).statusCode() == 200);
        awaitReported(id, "rolled_back");
        assertNotNull(cloud.lastReport(id).get("failed"));
    }

    @Test
    public void aBundleThatDoesNotResolveIsRolledBack() throws Exception {
        Version before = hardware().getVersion();
        String version = nextVersion(before);
        byte[] jar = bundleJar(HARDWARE, version, Map.of("Import-Package", "com.example.nowhere"), Map.of());
        String id = "dep_unresolved_" + NEXT.incrementAndGet();

        assertEquals(202, post(deployment(id, List.of(update(jar, version, publisher)))).statusCode());
        JsonNode record = awaitEnd(id);

        assertEquals(record.toString(), "rolled_back", record.get("state").asText());
        assertTrue(record.toString(), record.get("failed").get("message").asText().contains("com.example.nowhere"));
        assertEquals(before, hardware().getVersion());
        assertEquals(Bundle.ACTIVE, hardware().getState());
    }

    @Test
    public void aBadSignatureIsRefusedAndNothingChanges() throws Exception {
        Bundle hardware = hardware();
        Version before = hardware.getVersion();
        long modified = hardware.getLastModified();
        String version = nextVersion(before);
        byte[] jar = withVersion(shippedHardwareJar(), version);
        KeyPair stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String id = "dep_untrusted_" + NEXT.incrementAndGet();

        assertEquals(202, post(deployment(id, List.of(update(jar, version, stranger)))).statusCode());
        JsonNode record = awaitEnd(id);

        assertEquals(record.toString(), "failed", record.get("state").asText());
        assertTrue(record.toString(), record.get("reason").asText().startsWith("untrusted_key"));
        assertEquals(before, hardware().getVersion());
        assertEquals("the bundle was not touched", modified, hardware().getLastModified());
        awaitReported(id, "failed");
    }

    @Test
    public void malformedDeploymentsAreRefusedWithAJsonError() throws Exception {
        HttpResponse<String> answer = post("{\"id\": \"dep_x\", \"operations\": [{\"action\": \"explode\"}]}");
        assertEquals(400, answer.statusCode());
        JsonNode body = JSON.readTree(answer.body());
        assertEquals("invalid_deployment", body.get("error").asText());
        assertEquals(404, get("/api/v1/deployments/dep_unknown").statusCode());
    }

    // --- the device's side

    private void awaitTrusted(String trusted) throws InterruptedException {
        Http.awaitTrue("the update bundle configured with the trusted key", PATIENCE, () -> {
            ServiceReference<?> ref = context.getServiceReference("io.edgeflow.update.internal.Deployments");
            return ref != null && ref.getProperty("trusted_keys") instanceof String[] keys && keys.length == 1
                    && keys[0].equals(trusted);
        });
    }

    private Bundle hardware() {
        return bundle(HARDWARE);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }

    private String local(String path) {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + path;
    }

    private HttpResponse<String> post(String body) throws Exception {
        return Http.send("POST", local("/api/v1/deployments"), body, "application/json");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return Http.get(local(path));
    }

    private JsonNode awaitEnd(String id) throws Exception {
        JsonNode[] last = new JsonNode[1];
        Http.awaitTrue("deployment " + id + " in an end state", PATIENCE, () -> {
            HttpResponse<String> r = get("/api/v1/deployments/" + id);
            last[0] = JSON.readTree(r.body());
            return r.statusCode() == 200 && List.of("succeeded", "rolled_back", "failed").contains(last[0]
                    .get("state").asText());
        });
        return last[0];
    }

    private void awaitReported(String id, String state) throws InterruptedException {
        Http.awaitTrue("the cloud told '" + state + "' of " + id, PATIENCE, () -> cloud.reports(id).contains(state));
    }

    // --- the cloud's side: artifacts, signatures, deployments (UPDATES-CONTRACT.md)

    private Map<String, Object> update(byte[] jar, String version, KeyPair signer) throws Exception {
        return update(HARDWARE, jar, version, signer);
    }

    private Map<String, Object> update(String symbolicName, byte[] jar, String version, KeyPair signer)
            throws Exception {
        return UpdateArtifacts.update(symbolicName, version, cloud.publish(jar), jar, signer);
    }

    private static String deployment(String id, List<Map<String, Object>> operations) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("health_timeout_seconds", 30);
        body.put("operations", operations);
        return JSON.writeValueAsString(body);
    }

    // --- bundles built by the test

    private static String nextVersion(Version v) {
        return new Version(v.getMajor(), v.getMinor(), v.getMicro() + NEXT.incrementAndGet()).toString();
    }

    /** @return the hardware facts jar the agent ships */
    private byte[] shippedHardwareJar() throws IOException {
        return shippedJar(HARDWARE);
    }

    /** @return the jar of a bundle the agent ships (the file the test runtime installed it from) */
    private static byte[] shippedJar(String name) throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("edgeflow.itest.dir", "target/itest"))
                .resolve("bundles"))) {
            Path jar = files.filter(p -> p.getFileName().toString().startsWith(name + "-0")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " jar in the test's bundles"));
            return Files.readAllBytes(jar);
        }
    }

}
