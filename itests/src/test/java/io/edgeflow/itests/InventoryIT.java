package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The inventory and remote configuration of the local API (issue 14), in the agent's own runtime, over HTTP as the
 * cloud's admin reaches it through the tunnel: the bundles with the SHA-256 of their content, the Declarative
 * Services components, EdgeFlow's configuration with its metatype, and changes to it that the metatype refuses and
 * that are then never applied. No answer ever holds a secret.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InventoryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String TUNNEL = "io.edgeflow.tunnel";
    private static final String SAAS = "io.edgeflow.saas";
    private static final String LOCAL_API = "io.edgeflow.localapi";
    /** Secrets the tests put into the configuration: none may appear in any answer. */
    private static final String PROXY_PASSWORD = "hunter2-proxy-Zq81";
    private static final String PROVISIONING_CODE = "PROV-Q7W3-K9X2";
    private static final String API_TOKEN = "tok-3f9a1c77e2b54d0e";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("inventory").resolve("absent.env"), Map.of());
    }

    @After
    public void removeWhatTheTestsConfigured() throws Exception {
        for (String pid : List.of(TUNNEL, SAAS, LOCAL_API)) {
            org.osgi.service.cm.Configuration[] found = configAdmin.listConfigurations("(service.pid=" + pid + ")");
            if (found != null) {
                found[0].delete();
            }
        }
        // the API answers without a token again
        Http.await(url("/api/v1/bundles"), 200, PATIENCE);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + path;
    }

    private JsonNode get(String path, int status) throws Exception {
        HttpResponse<String> response = Http.await(url(path), status, PATIENCE);
        return checked(response, status);
    }

    private JsonNode put(String path, String body, int status) throws Exception {
        return checked(Http.send("PUT", url(path), body, "application/json"), status);
    }

    private static JsonNode checked(HttpResponse<String> response, int status) throws Exception {
        String body = response.body();
        assertEquals(response.uri() + " -> " + body, status, response.statusCode());
        assertTrue(response.uri() + " answers JSON", response.headers().firstValue("Content-Type").orElse("")
                .startsWith("application/json"));
        for (String secret : List.of(PROXY_PASSWORD, PROVISIONING_CODE, API_TOKEN, "PROV-Q7W3")) {
            assertFalse(response.uri() + " shows a secret: " + body, body.contains(secret));
        }
        assertFalse(response.uri() + " shows a stack trace", body.contains("\tat ") || body.contains("Exception:"));
        return JSON.readTree(body);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (value.equals(node.path(field).asText())) {
                return node;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] read(Bundle bundle) throws Exception {
        try (InputStream in = URI.create(bundle.getLocation()).toURL().openStream()) {
            return in.readAllBytes();
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    @Test
    public void listsEveryBundleWithTheSha256OfItsContent() throws Exception {
        JsonNode bundles = get("/api/v1/bundles", 200).get("bundles");
        assertEquals(context.getBundles().length, bundles.size());
        JsonNode system = find(bundles, "id", "0");
        assertEquals("ACTIVE", system.get("state").asText());
        assertFalse(system.get("edgeflow").asBoolean());
        int edgeflow = 0;
        for (Bundle b : context.getBundles()) {
            JsonNode json = find(bundles, "id", Long.toString(b.getBundleId()));
            assertEquals(b.getSymbolicName(), json.get("symbolic_name").asText(null));
            assertEquals(b.getVersion().toString(), json.get("version").asText());
            assertEquals(b.getLocation(), json.get("location").asText());
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.edgeflow.")) {
                edgeflow++;
                assertTrue(json.get("edgeflow").asBoolean());
                // a fragment (io.edgeflow.slf4j.binding) is resolved and attached to its host, never started
                boolean fragment = b.getHeaders().get(org.osgi.framework.Constants.FRAGMENT_HOST) != null;
                assertEquals(b.getSymbolicName(), fragment ? "RESOLVED" : "ACTIVE", json.get("state").asText());
                // the start level the framework gives it: 10 for every bundle of ours but the slf4j fragment (1)
                assertEquals(b.getSymbolicName(), b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class)
                        .getStartLevel(), json.get("start_level").asInt());
                if (!fragment) {
                    assertEquals(b.getSymbolicName(), 10, json.get("start_level").asInt());
                }
                // the installed file, hashed here: what the framework holds must be the same bytes
                assertEquals(b.getSymbolicName(), sha256(read(b)), json.get("sha256").asText());
                assertEquals("framework_storage", json.get("sha256_source").asText());
            }
        }
        assertTrue("the EdgeFlow bundles are listed: " + edgeflow, edgeflow >= 10);
        assertTrue(find(bundles, "symbolic_name", "io.edgeflow.inventory").get("edgeflow").asBoolean());
    }

    @Test
    public void theSha256FollowsAnUpdateOfTheBundle() throws Exception {
        Bundle facts = bundle("io.edgeflow.facts.hardware");
        byte[] shipped = read(facts);
        byte[] rebuilt = withExtraEntry(shipped);
        facts.update(new java.io.ByteArrayInputStream(rebuilt));
        try {
            JsonNode json = find(get("/api/v1/bundles", 200).get("bundles"), "symbolic_name",
                    "io.edgeflow.facts.hardware");
            assertEquals("the content the framework runs now", sha256(rebuilt), json.get("sha256").asText());
            assertEquals("ACTIVE", json.get("state").asText());
        } finally {
            facts.update(); // back to the shipped jar, from its location
        }
        JsonNode json = find(get("/api/v1/bundles", 200).get("bundles"), "symbolic_name",
                "io.edgeflow.facts.hardware");
        assertEquals(sha256(shipped), json.get("sha256").asText());
    }

    /** The same bundle with one more entry: other bytes, the same code. */
    private static byte[] withExtraEntry(byte[] jar) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(jar));
                JarOutputStream out = new JarOutputStream(bytes, in.getManifest())) {
            for (JarEntry entry; (entry = in.getNextJarEntry()) != null;) {
                out.putNextEntry(new JarEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("rebuilt-by-InventoryIT.txt"));
            out.write("another build".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    public void listsTheComponentsWithTheirStates() throws Exception {
        JsonNode components = get("/api/v1/components", 200).get("components");
        JsonNode config = find(components, "name", "io.edgeflow.inventory.internal.ConfigServlet");
        assertEquals("active", config.get("state").asText());
        assertEquals("io.edgeflow.inventory", config.get("bundle").asText());
        assertTrue(config.get("edgeflow").asBoolean());
        // not connected to a cloud: the tunnel waits for the services it needs (the cloud endpoint, the identity)
        JsonNode tunnel = find(components, "name", "io.edgeflow.tunnel.internal.TunnelComponent");
        assertEquals("unsatisfied_reference", tunnel.get("state").asText());
        JsonNode waitsFor = tunnel.get("unsatisfied_references");
        assertTrue(tunnel.toString(), waitsFor.size() > 0);
        for (JsonNode reference : waitsFor) {
            assertFalse(reference.toString(), reference.get("name").asText().isEmpty());
            assertTrue(reference.toString(), reference.get("interface").asText().startsWith("io.edgeflow.api."));
        }

        ComponentDescriptionDTO facts = scr.getComponentDescriptionDTOs(bundle("io.edgeflow.facts.hardware")).iterator()
                .next();
        scr.disableComponent(facts);
        try {
            awaitComponent(facts.name, "disabled");
        } finally {
            scr.enableComponent(facts);
        }
        awaitComponent(facts.name, "active");
    }

    /** Polls GET /api/v1/components until the component shows the state. */
    private void awaitComponent(String name, String state) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plus(PATIENCE);
        JsonNode last = null;
        while (java.time.Instant.now().isBefore(deadline)) {
            last = find(get("/api/v1/components", 200).get("components"), "name", name);
            if (state.equals(last.get("state").asText())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " not " + state + " within " + PATIENCE + ": " + last);
    }

    @Test
    public void showsEdgeFlowsConfigurationWithItsMetatype() throws Exception {
        JsonNode all = get("/api/v1/config", 200).get("configurations");
        for (JsonNode pid : all) {
            assertTrue(pid.get("pid").asText(), pid.get("pid").asText().startsWith("io.edgeflow."));
        }
        JsonNode tunnel = find(all, "pid", TUNNEL);
        assertEquals("io.edgeflow.tunnel", tunnel.get("bundle").asText());
        JsonNode heartbeat = find(tunnel.get("attributes"), "id", "heartbeat_interval_seconds");
        assertEquals("integer", heartbeat.get("type").asText());
        assertEquals(0, heartbeat.get("cardinality").asInt());
        assertEquals(30, heartbeat.get("default").asInt());
        assertEquals("1", heartbeat.get("min").asText());
        assertEquals("3600", heartbeat.get("max").asText());
        JsonNode token = find(find(all, "pid", LOCAL_API).get("attributes"), "id", ".api_token");
        assertTrue(token.get("secret").asBoolean());
        assertFalse(token.has("value"));
        assertEquals(token, find(get("/api/v1/config/" + LOCAL_API, 200).get("attributes"), "id", ".api_token"));
        assertEquals("not_found", get("/api/v1/config/io.edgeflow.nothing", 404).get("error").asText());
        assertEquals("not_found", get("/api/v1/config/org.apache.felix.http", 404).get("error").asText());
    }

    @Test
    public void aValidChangeIsAppliedAnInvalidOneNever() throws Exception {
        JsonNode applied = put("/api/v1/config/" + TUNNEL, "{\"heartbeat_interval_seconds\": 7, "
                + "\"backoff_cap_seconds\": \"120\"}", 200);
        assertTrue(applied.get("changed").asBoolean());
        assertEquals(7, find(applied.get("attributes"), "id", "heartbeat_interval_seconds").get("value").asInt());
        Dictionary<String, Object> before = configAdmin.getConfiguration(TUNNEL, "?").getProperties();
        assertEquals(7, before.get("heartbeat_interval_seconds"));
        assertEquals(120, before.get("backoff_cap_seconds"));

        String[][] refused = {
            {"{\"heartbeat_interval_seconds\": 0}", "invalid_configuration", "heartbeat_interval_seconds"},
            {"{\"heartbeat_interval_seconds\": 3601, \"backoff_cap_seconds\": 60}", "invalid_configuration",
                "heartbeat_interval_seconds"},
            {"{\"backoff_cap_seconds\": 60, \"heartbeat_interval_seconds\": \"often\"}", "invalid_configuration",
                "heartbeat_interval_seconds"},
            {"{\"backoff_cap_seconds\": [1, 2]}", "invalid_configuration", "backoff_cap_seconds"},
            {"{\"backoff_cap_seconds\": 60, \"heartbeat\": 5}", "unknown_property", "heartbeat"},
            {"{\"osgi.http.whiteboard.target\": \"(x=y)\"}", "unknown_property", "osgi.http.whiteboard.target"},
        };
        for (String[] r : refused) {
            JsonNode error = put("/api/v1/config/" + TUNNEL, r[0], 400);
            assertEquals(r[0], r[1], error.get("error").asText());
            assertEquals(r[0], r[2], error.get("property").asText());
            assertTrue(r[0] + ": " + error, error.get("message").asText().contains(r[2]));
            assertEquals(r[0] + " changed nothing", before, configAdmin.getConfiguration(TUNNEL, "?").getProperties());
        }
        assertEquals("not_found", put("/api/v1/config/io.edgeflow.nothing", "{\"a\": 1}", 404).get("error").asText());
        assertEquals("invalid_json", put("/api/v1/config/" + TUNNEL, "{\"a\": ", 400).get("error").asText());
        assertEquals("method_not_allowed", put("/api/v1/config", "{}", 405).get("error").asText());
        assertEquals(before, configAdmin.getConfiguration(TUNNEL, "?").getProperties());
    }

    @Test
    public void secretsAreNeverShownAndThePutFollowsTheCallerRule() throws Exception {
        Hashtable<String, Object> saas = new Hashtable<>();
        saas.put(".provisioning_code", PROVISIONING_CODE);
        saas.put("proxy", "http://edge@proxy.example:3128");
        configAdmin.getConfiguration(SAAS, "?").update(saas);
        JsonNode set = put("/api/v1/config/" + SAAS, "{\".proxy_password\": \"" + PROXY_PASSWORD + "\"}", 200);
        assertTrue(find(set.get("attributes"), "id", ".proxy_password").get("set").asBoolean());
        assertEquals(PROXY_PASSWORD, configAdmin.getConfiguration(SAAS, "?").getProperties().get(".proxy_password"));
        JsonNode code = find(get("/api/v1/config/" + SAAS, 200).get("attributes"), "id", ".provisioning_code");
        assertTrue(code.get("set").asBoolean());

        // with an API token, every caller must send it (docs/inventory.md): the GETs as the PUT
        put("/api/v1/config/" + LOCAL_API, "{\".api_token\": \"" + API_TOKEN + "\"}", 200);
        for (String path : List.of("/api/v1/bundles", "/api/v1/components", "/api/v1/config")) {
            assertEquals(path, "unauthorized", get(path, 401).get("error").asText());
            HttpResponse<String> answer = Http.sendWithHeader("GET", url(path), null, null, "Authorization",
                    "Bearer " + API_TOKEN);
            checked(answer, 200);
        }
        assertEquals("unauthorized", put("/api/v1/config/" + TUNNEL, "{\"backoff_cap_seconds\": 60}", 401)
                .get("error").asText());
        HttpResponse<String> authorized = Http.sendWithHeader("PUT", url("/api/v1/config/" + TUNNEL),
                "{\"backoff_cap_seconds\": 60}", "application/json", "Authorization", "Bearer " + API_TOKEN);
        checked(authorized, 200);
        HttpResponse<String> all = Http.sendWithHeader("GET", url("/api/v1/config"), null, null, "Authorization",
                "Bearer " + API_TOKEN);
        JsonNode token = find(find(checked(all, 200).get("configurations"), "pid", LOCAL_API).get("attributes"), "id",
                ".api_token");
        assertTrue(token.get("set").asBoolean());
    }
}
