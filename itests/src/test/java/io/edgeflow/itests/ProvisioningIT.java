package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.provisioning.DeviceIdentity;
import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.endpoint.testing.TestConnectProxy;

/**
 * Provisioning end to end in the agent's own runtime, against the real reference cloud over TLS (a process of
 * its own, trusted through its CA file): a code through Config Admin and through the local API, pre-provisioned
 * credentials, refused codes, the cloud down at start, a lost answer, a new code replacing the credentials, a
 * proxy with Basic authentication, and a restart of the provisioning bundle. Each test starts its own cloud and
 * begins with SaaS disabled and an empty vault.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProvisioningIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Path dir;

    @Configuration
    public Option[] config() {
        return OptionUtils.combine(EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("provisioning").resolve("absent.env"), Map.of()),
                EdgeFlowRuntime.testConnectProxyBundle());
    }

    @Before
    public void disabledAndEmpty() throws Exception {
        Http.await(statusUrl(), 200, PATIENCE);
        org.osgi.service.cm.Configuration saas = configAdmin.getConfiguration("io.edgeflow.saas", "?");
        Hashtable<String, Object> off = new Hashtable<>();
        off.put("enabled", Boolean.FALSE);
        saas.update(off);
        awaitStatus("disabled", s -> s.get("status").asText().equals("disabled"));
        vault().clear();
        org.osgi.service.cm.Configuration local = configAdmin.getConfiguration("io.edgeflow.localapi", "?");
        if (local.getProperties() != null) {
            local.delete();
        }
        dir = EdgeFlowRuntime.newTestDirectory("prov-case").toAbsolutePath();
    }

    @After
    public void closeWhatWeStarted() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    private String statusUrl() {
        return base() + "/api/v1/saas/status";
    }

    private ReferenceCloud cloud(String name) throws Exception {
        ReferenceCloud cloud = ReferenceCloud.start(dir.resolve(name), 0);
        toClose.add(cloud);
        return cloud;
    }

    private CredentialVault vault() {
        ServiceReference<CredentialVault> ref = context.getServiceReference(CredentialVault.class);
        assertNotNull("a credential vault runs", ref);
        return context.getService(ref);
    }

    private Map<String, Object> settings(ReferenceCloud cloud) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("enabled", Boolean.TRUE);
        settings.put("url", cloud.url());
        settings.put("ca_file", cloud.caFile().toString());
        settings.put("retry_initial_delay_ms", 100);
        settings.put("retry_max_delay_seconds", 1);
        settings.put("connect_timeout_seconds", 3);
        settings.put("request_timeout_seconds", 15);
        return settings;
    }

    private void configure(Map<String, Object> settings) throws Exception {
        configAdmin.getConfiguration("io.edgeflow.saas", "?").update(new Hashtable<>(settings));
    }

    private Dictionary<String, Object> saasConfiguration() throws Exception {
        return configAdmin.getConfiguration("io.edgeflow.saas", "?").getProperties();
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(Http.get(statusUrl()).body());
    }

    private JsonNode awaitStatus(String what, Predicate<JsonNode> condition) throws Exception {
        return Http.awaitStatus(statusUrl(), what, condition, PATIENCE);
    }

    private JsonNode awaitProvisioned(String deviceId) throws Exception {
        return awaitStatus("provisioned" + (deviceId == null ? "" : " as " + deviceId),
                s -> provisioned(s) && (deviceId == null || deviceId.equals(s.get("device_id").asText())));
    }

    /**
     * Provisioned, without a provisioning error: {@code provisioned}, or already further, since the tunnel
     * bundle runs in this runtime too and opens its tunnel as soon as the credentials are confirmed
     * ({@code connecting}, {@code online}, {@code offline}; an error then is the tunnel's own).
     */
    static boolean provisioned(JsonNode s) {
        String status = s.get("status").asText();
        return status.equals("provisioned") && s.get("error").isNull() || status.equals("connecting")
                || status.equals("online") || status.equals("offline");
    }

    /** The statuses of a device that holds confirmed credentials, whatever its tunnel does. */
    static final List<String> PROVISIONED_OR_FURTHER = List.of("provisioned", "connecting", "online", "offline");

    private HttpResponse<String> provision(String body) throws Exception {
        return Http.send("POST", base() + "/api/v1/saas/provision", body, "application/json");
    }

    private static String code(String code) {
        return "{\"provisioning_code\": \"" + code + "\"}";
    }

    private ProvisioningState provisioningState() {
        ServiceReference<ProvisioningService> ref = context.getServiceReference(ProvisioningService.class);
        assertNotNull("provisioning runs", ref);
        try {
            return context.getService(ref).state();
        } finally {
            context.ungetService(ref);
        }
    }

    private Optional<DeviceIdentity> identity() {
        ServiceReference<DeviceIdentity> ref = context.getServiceReference(DeviceIdentity.class);
        return ref == null ? Optional.empty() : Optional.of(context.getService(ref));
    }

    private String storedKey() throws Exception {
        DeviceCredentials credentials = vault().load().orElseThrow();
        try {
            return new String(credentials.apiKey());
        } finally {
            credentials.destroy();
        }
    }

    private static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    // ------------------------------------------------------------------ tests

    @Test
    public void aCodeFromTheConfigurationProvisionsConfirmsAndIsForgotten() throws Exception {
        ReferenceCloud cloud = cloud("cloud");
        String code = cloud.createCode(3600);
        Map<String, Object> settings = settings(cloud);
        settings.put(".provisioning_code", code);
        configure(settings);

        JsonNode status = awaitProvisioned(null);
        String deviceId = status.get("device_id").asText();
        assertTrue(deviceId, deviceId.startsWith("dev_"));
        assertEquals(cloud.url(), status.get("saas_url").asText());
        assertFalse(status.get("credentials_expire_at").isNull());
        assertTrue("clock skew from the cloud's Date header", Math.abs(status.get("clock_skew_seconds").asLong()) < 5);
        // awaitProvisioned also takes 'online': the tunnel in this runtime may open before the status is read (it
        // did in CI once the agent started faster); connected must then say so, and only then
        assertEquals(status.toString(), status.get("status").asText().equals("online"),
                status.get("connected").asBoolean());

        JsonNode device = cloud.device(deviceId);
        assertEquals("active", device.get("status").asText());
        assertFalse("confirmed", device.get("confirmed_at").isNull());
        assertFalse("the facts were reported", device.get("network").path("hostname").asText().isEmpty());
        assertEquals(1, cloud.registrations(code).size());
        assertEquals(200, cloud.checkKey(deviceId, storedKey()));
        assertEquals(deviceId, vault().status().deviceId());
        assertFalse("the request_id is forgotten once confirmed", vault().status().pendingRequest());

        Instant deadline = Instant.now().plusSeconds(10);
        while ((identity().isEmpty() || saasConfiguration().get(".provisioning_code") != null)
                && Instant.now().isBefore(deadline)) {
            sleep(50);
        }
        assertNull("the used code leaves Config Admin", saasConfiguration().get(".provisioning_code"));
        assertEquals(deviceId, identity().orElseThrow().deviceId());
        assertEquals(deviceId, context.getServiceReference(DeviceIdentity.class)
                .getProperty(DeviceIdentity.DEVICE_ID_PROPERTY));
        ServiceReference<CloudEndpoint> endpoint = context.getServiceReference(CloudEndpoint.class);
        assertEquals(cloud.url(), endpoint.getProperty("edgeflow.saas.url"));
        assertEquals("https://" + cloud.url(), context.getService(endpoint).baseUri().toString());

        // the provisioning bundle restarts (a remote update): no second registration
        Bundle provisioning = bundle("io.edgeflow.provisioning");
        provisioning.stop();
        provisioning.start();
        awaitProvisioned(deviceId);
        // the identity is published at the end of the run that would otherwise have registered again
        Http.awaitTrue("the identity published again", Duration.ofSeconds(10), () -> identity().isPresent());
        assertEquals(1, cloud.registrations(code).size());
        assertEquals(deviceId, identity().map(DeviceIdentity::deviceId).orElse(null));
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(bsn + " is not installed");
    }

    @Test
    public void theLocalApiProvisionsAndShowsTheKeyOnce() throws Exception {
        ReferenceCloud cloud = cloud("cloud");
        configure(settings(cloud));
        awaitStatus("unprovisioned", s -> s.get("status").asText().equals("unprovisioned"));
        String code = cloud.createCode(3600);

        HttpResponse<String> created = provision(code(code.toLowerCase()));
        assertEquals(created.body(), 201, created.statusCode());
        JsonNode body = JSON.readTree(created.body());
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("device_id", "api_key", "expires_at"), fields);
        String deviceId = body.get("device_id").asText();
        String apiKey = body.get("api_key").asText();
        assertTrue(apiKey.startsWith("efk_"));
        assertEquals("no-store", created.headers().firstValue("Cache-Control").orElse(""));
        assertEquals("the key works", 200, cloud.checkKey(deviceId, apiKey));
        assertEquals("active", cloud.device(deviceId).get("status").asText());
        assertEquals(apiKey, storedKey());
        JsonNode status = awaitProvisioned(deviceId);
        assertEquals(body.get("expires_at").asText(), status.get("credentials_expire_at").asText());

        HttpResponse<String> again = provision(code(code));
        assertEquals(410, again.statusCode());
        assertEquals("code_consumed", JSON.readTree(again.body()).get("error").asText());
        assertFalse("the key is shown once", again.body().contains(apiKey));
        HttpResponse<String> unknown = provision(code("PROV-0000-0000"));
        assertEquals(404, unknown.statusCode());
        assertEquals("code_invalid", JSON.readTree(unknown.body()).get("error").asText());
        HttpResponse<String> malformed = provision(code("PROV-12"));
        assertEquals(400, malformed.statusCode());
        assertEquals("code_malformed", JSON.readTree(malformed.body()).get("error").asText());
        assertEquals(400, provision("{\"code\": \"" + code + "\"}").statusCode());
        assertEquals(400, provision("{not json").statusCode());
        assertEquals(415, Http.send("POST", base() + "/api/v1/saas/provision", code(code), "text/plain").statusCode());
        assertEquals(405, Http.get(base() + "/api/v1/saas/provision").statusCode());
        assertEquals("refused calls leave the device as it was", deviceId, awaitProvisioned(deviceId)
                .get("device_id").asText());

        // with an API token, the caller must present it, even on loopback
        org.osgi.service.cm.Configuration local = configAdmin.getConfiguration("io.edgeflow.localapi", "?");
        Hashtable<String, Object> token = new Hashtable<>();
        token.put(".api_token", "itest-token-4f1c");
        local.update(token);
        HttpResponse<String> denied = null;
        for (int i = 0; i < 100; i++) {
            denied = provision(code(code));
            if (denied.statusCode() == 401) {
                break;
            }
            sleep(50);
        }
        assertEquals(401, denied.statusCode());
        assertEquals("unauthorized", JSON.readTree(denied.body()).get("error").asText());
        assertEquals("Bearer", denied.headers().firstValue("WWW-Authenticate").orElse(""));
        String code2 = cloud.createCode(3600);
        HttpResponse<String> allowed = Http.sendWithHeader("POST", base() + "/api/v1/saas/provision", code(code2),
                "application/json", "Authorization", "Bearer itest-token-4f1c");
        assertEquals(allowed.body(), 201, allowed.statusCode());
    }

    @Test
    public void preProvisionedCredentialsMoveIntoTheVaultAndLeaveConfigAdmin() throws Exception {
        ReferenceCloud cloud = cloud("cloud");
        // an administrator made the device and handed out its Device ID and key
        JsonNode issued = cloud.register(cloud.createCode(3600));
        String deviceId = issued.get("device_id").asText();
        String apiKey = issued.get("api_key").asText();
        Map<String, Object> settings = settings(cloud);
        settings.put("device_id", deviceId);
        settings.put(".api_key", apiKey);
        configure(settings);

        awaitProvisioned(deviceId);
        Instant deadline = Instant.now().plusSeconds(10);
        while (saasConfiguration().get("api_key") != null && Instant.now().isBefore(deadline)) {
            sleep(50);
        }
        assertNull("Config Admin no longer holds the key", saasConfiguration().get("api_key"));
        assertEquals(deviceId, saasConfiguration().get("device_id"));
        assertEquals(apiKey, storedKey());
        // and neither does any file of the framework's storage (Config Admin persists there)
        Path storage = Path.of(context.getProperty("org.osgi.framework.storage"));
        byte[] needle = apiKey.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(storage)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse("the API key is in " + file, contains(Files.readAllBytes(file), needle));
            }
        }
        // the cloud confirmed the key, and its expiry came from the confirmation
        awaitStatus("expiry", s -> !s.get("credentials_expire_at").isNull());
        assertEquals("active", cloud.device(deviceId).get("status").asText());
        assertEquals(deviceId, identity().map(DeviceIdentity::deviceId).orElse(null));

        // a wrong key is an error, not a retry loop
        vault().clear();
        settings.put(".api_key", "efk_" + "x".repeat(52));
        configure(settings);
        JsonNode refused = awaitStatus("invalid_credentials", s -> s.get("status").asText().equals("error")
                && s.get("error").get("code").asText().equals("invalid_credentials"));
        assertFalse(refused.get("error").get("since").isNull());
        assertFalse(identity().isPresent());
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    public void expiredConsumedAndUnknownCodesStopWithTheirErrorCode() throws Exception {
        ReferenceCloud cloud = cloud("cloud");
        String expired = cloud.createExpiredCode();
        String consumed = cloud.createCode(3600);
        JsonNode other = cloud.register(consumed);
        assertEquals(200, cloud.call("POST", "/api/v1/devices/" + other.get("device_id").asText() + "/confirm",
                other.get("api_key").asText(), null).status());
        String unknown = "PROV-ZZZZ-ZZZ9";

        Map<String, String> cases = Map.of(expired, "code_expired", consumed, "code_consumed", unknown,
                "code_invalid");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            int before = cloud.registrations(c.getKey()).size();
            Map<String, Object> settings = settings(cloud);
            settings.put(".provisioning_code", c.getKey());
            configure(settings);
            JsonNode status = awaitStatus(c.getValue(), s -> s.get("status").asText().equals("error")
                    && s.get("error").get("code").asText().equals(c.getValue()));
            assertTrue(status.get("device_id").isNull());
            assertFalse(status.get("error").get("since").isNull());
            assertFalse("no code in full in the status", status.toString().contains(c.getKey()));
            // The refusal is the last attempt. Attempts before it can only be retries after a transient
            // failure (a busy machine): each of those must have been answered with something else.
            List<JsonNode> atRefusal = cloud.registrations(c.getKey());
            assertTrue("the code was tried: " + atRefusal, atRefusal.size() > before);
            List<JsonNode> ours = atRefusal.subList(0, atRefusal.size() - before); // newest first
            assertEquals("the last attempt was refused with " + c.getValue() + ": " + ours, c.getValue(),
                    ours.get(0).path("result").asText());
            for (JsonNode earlier : ours.subList(1, ours.size())) {
                assertFalse("a refused code was tried again: " + ours,
                        earlier.path("result").asText().startsWith("code_"));
            }
            // Not retried: provisioning's own state says the registration is over (IDLE: no job, so no retry timer,
            // which exists only for a registration under way) with the refusal as its error. That nothing more
            // happens afterwards, not even the run queued at the refusal, ProvisioningEngineTest shows with the
            // worker driven by hand (refusedCodesStopAndShowTheCloudsErrorCode).
            ProvisioningState decided = provisioningState();
            assertEquals(decided.toString(), ProvisioningState.Phase.IDLE, decided.phase());
            assertEquals(decided.toString(), c.getValue(), decided.error().code());
            List<JsonNode> attempts = cloud.registrations(c.getKey());
            assertEquals(c.getValue() + " is not retried after the refusal; attempts: " + attempts,
                    atRefusal.size(), attempts.size());
            assertEquals(c.getValue(), status().get("error").get("code").asText());
            assertNotNull("a refused code stays for the operator to see", saasConfiguration().get(".provisioning_code"));
        }
    }

    @Test
    public void theCloudDownAtStartIsWaitedForAndTheDeviceProvisionsWhenItReturns() throws Exception {
        ReferenceCloud first = cloud("cloud");
        String code = first.createCode(3600);
        String other = first.createCode(3600);
        int port = first.port();
        first.close(); // down
        assertTrue(Http.refuses("https://127.0.0.1:" + port + "/", Duration.ofSeconds(5)));

        Map<String, Object> settings = settings(first);
        settings.put(".provisioning_code", code);
        configure(settings);
        JsonNode waiting = awaitStatus("provisioning, cloud unreachable", s -> s.get("status").asText().equals(
                "provisioning") && !s.get("error").isNull());
        assertEquals("cloud_unreachable", waiting.get("error").get("code").asText());
        HttpResponse<String> busy = provision(code(other));
        assertEquals(409, busy.statusCode());
        assertEquals("provisioning_in_progress", JSON.readTree(busy.body()).get("error").asText());
        // stays: retries against a closed port are seen by no one outside the engine; this lets the backoff grow
        sleep(2500);

        ReferenceCloud back = ReferenceCloud.start(first.dataDir(), port);
        toClose.add(back);
        Instant returned = Instant.now();
        JsonNode status = awaitProvisioned(null);
        assertTrue("provisioned within the backoff cap after the cloud returned",
                Duration.between(returned, Instant.now()).toSeconds() < 10);
        assertEquals("active", back.device(status.get("device_id").asText()).get("status").asText());
    }

    @Test
    public void aLostAnswerIsSurvivedWithTheSameRequestId() throws Exception {
        ReferenceCloud cloud = cloud("cloud");
        AnswerDropper network = new AnswerDropper(cloud, 1);
        toClose.add(network);
        String code = cloud.createCode(3600);
        Map<String, Object> settings = settings(cloud);
        settings.put("url", network.url());
        settings.put(".provisioning_code", code);
        configure(settings);

        String deviceId = awaitProvisioned(null).get("device_id").asText();
        assertEquals(List.of("POST /api/v1/devices/register -> 201 dropped", "POST /api/v1/devices/register -> 201",
                "POST /api/v1/devices/" + deviceId + "/confirm -> 200"), network.seen.stream()
                        .filter(r -> !r.startsWith("GET /api/v1/tunnel")).toList()); // the tunnel tries this way too
        List<JsonNode> registrations = cloud.registrations(code);
        assertEquals(2, registrations.size());
        assertEquals("the same request_id", registrations.get(0).get("request_id").asText(),
                registrations.get(1).get("request_id").asText());
        assertEquals("the same device", deviceId, registrations.get(0).get("device_id").asText());
        assertEquals(deviceId, registrations.get(1).get("device_id").asText());
        JsonNode keys = cloud.device(deviceId).get("keys");
        assertEquals(2, keys.size());
        int usable = 0;
        for (JsonNode key : keys) {
            usable += key.get("usable").asBoolean() ? 1 : 0;
        }
        assertEquals("only the fresh key works", 1, usable);
        assertEquals(200, cloud.checkKey(deviceId, storedKey()));
        assertEquals("active", cloud.device(deviceId).get("status").asText());
    }

    @Test
    public void aNewCodeReplacesTheCredentialsOnceNewOnesAreStored() throws Exception {
        ReferenceCloud cloud = cloud("cloud");
        List<String> identities = new CopyOnWriteArrayList<>();
        ServiceListener listener = event -> {
            Object id = event.getServiceReference().getProperty(DeviceIdentity.DEVICE_ID_PROPERTY);
            identities.add((event.getType() == ServiceEvent.REGISTERED ? "+" : event.getType()
                    == ServiceEvent.UNREGISTERING ? "-" : "~") + id);
        };
        context.addServiceListener(listener, "(objectClass=" + DeviceIdentity.class.getName() + ")");
        try {
            Map<String, Object> settings = settings(cloud);
            settings.put(".provisioning_code", cloud.createCode(3600));
            configure(settings);
            String first = awaitProvisioned(null).get("device_id").asText();
            String firstKey = storedKey();

            // a code the cloud refuses changes nothing
            String expired = cloud.createExpiredCode();
            settings.put(".provisioning_code", expired);
            configure(settings);
            JsonNode refused = awaitStatus("code_expired", s -> !s.get("error").isNull()
                    && s.get("error").get("code").asText().equals("code_expired"));
            assertTrue(refused.toString(), PROVISIONED_OR_FURTHER.contains(refused.get("status").asText()));
            assertEquals(first, refused.get("device_id").asText());
            assertEquals(firstKey, storedKey());
            assertEquals(200, cloud.checkKey(first, firstKey));

            Object endpoint = endpointServiceId();
            settings.put(".provisioning_code", cloud.createCode(3600));
            configure(settings);
            String second = awaitStatus("replaced", s -> provisioned(s)
                    && !s.get("device_id").asText().equals(first)).get("device_id").asText();
            assertNotEquals(firstKey, storedKey());
            assertEquals(200, cloud.checkKey(second, storedKey()));
            Instant deadline = Instant.now().plusSeconds(5);
            while (!identities.contains("+" + second) && Instant.now().isBefore(deadline)) {
                sleep(50);
            }
            assertEquals(List.of("+" + first, "-" + first, "+" + second), identities);
            assertEquals("a new code leaves the CloudEndpoint alone", endpoint, endpointServiceId());
        } finally {
            context.removeServiceListener(listener);
        }
    }

    @Test
    public void throughAProxyWithBasicAuthentication() throws Exception {
        ReferenceCloud cloud = cloud("cloud");
        String authorization = "Basic " + Base64.getEncoder().encodeToString("gateway:pr0xy-pw".getBytes(
                StandardCharsets.UTF_8));
        TestConnectProxy proxy = new TestConnectProxy(authorization);
        toClose.add(proxy);
        Map<String, Object> settings = settings(cloud);
        settings.put("proxy", "http://gateway@127.0.0.1:" + proxy.port());
        settings.put(".proxy_password", "wrong");
        settings.put(".provisioning_code", cloud.createCode(3600));
        configure(settings);
        JsonNode refused = awaitStatus("proxy_error", s -> !s.get("error").isNull()
                && s.get("error").get("code").asText().equals("proxy_error"));
        assertEquals("provisioning", refused.get("status").asText());
        assertFalse(refused.toString().contains("wrong"));
        Object before = endpointServiceId();

        settings.put(".proxy_password", "pr0xy-pw");
        configure(settings);
        String deviceId = awaitProvisioned(null).get("device_id").asText();
        assertEquals("active", cloud.device(deviceId).get("status").asText());
        String connect = "CONNECT " + cloud.url() + " HTTP/1.1";
        assertTrue(proxy.heads.toString(), proxy.heads.stream().anyMatch(h -> h.startsWith(connect)
                && h.contains("Proxy-Authorization: " + authorization)));
        assertNotEquals("new proxy settings, a new CloudEndpoint", before, endpointServiceId());
    }

    private Object endpointServiceId() {
        ServiceReference<CloudEndpoint> ref = context.getServiceReference(CloudEndpoint.class);
        return ref == null ? null : ref.getProperty(org.osgi.framework.Constants.SERVICE_ID);
    }

    @Test
    public void plainHttpIsRefusedWithAClearError() throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("enabled", Boolean.TRUE);
        settings.put("url", "http://saas.edgx.cloud:80");
        configure(settings);
        JsonNode status = awaitStatus("error", s -> s.get("status").asText().equals("error"));
        assertEquals("saas_url_invalid", status.get("error").get("code").asText());
        assertTrue(status.get("error").get("message").asText().contains("HTTPS only"));
        Collection<ServiceReference<CloudEndpoint>> endpoints = context.getServiceReferences(CloudEndpoint.class, null);
        assertTrue("no endpoint for a refused URL", endpoints.isEmpty());
    }

}
