package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.HostNamespace;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The local status API over real HTTP in the agent's own runtime: the documented shape, live reaction
 * to the SaaS configuration, and clear JSON errors (never a 500) for whatever a caller sends.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StatusApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private MetaTypeService metaType;

    @Configuration
    public Option[] config() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("status");
        Path envFile = dir.resolve("absent.env"); // a missing env file is normal
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(), envFile, Map.of());
    }

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    @Test
    public void statusHasTheDocumentedShapeAndSaysDisabled() throws Exception {
        HttpResponse<String> response = Http.await(base() + "/api/v1/saas/status", 200, Duration.ofSeconds(20));
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("connected", "device_id", "status", "last_heartbeat", "error", "saas_url",
                "credentials_expire_at", "clock_skew_seconds"), fields);
        assertFalse(body.get("connected").asBoolean());
        assertTrue(body.get("device_id").isNull());
        assertEquals("disabled", body.get("status").asText());
        assertTrue(body.get("last_heartbeat").isNull());
        assertTrue(body.get("error").isNull());
        // failsafe gives every test JVM EDGEFLOW_SAAS_URL=env.example.test:8443 (see EnvImportIT)
        assertEquals("env.example.test:8443", body.get("saas_url").asText());
    }

    @Test
    public void enablingSaasThroughConfigAdminTakesEffectLive() throws Exception {
        Http.await(base() + "/api/v1/saas/status", 200, Duration.ofSeconds(20));
        org.osgi.service.cm.Configuration saas = configAdmin.getConfiguration("io.edgeflow.saas", "?");
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("enabled", Boolean.TRUE);
            saas.update(props);
            assertEquals("unprovisioned", awaitStatus("unprovisioned"));

            props.put("enabled", Boolean.FALSE);
            saas.update(props);
            assertEquals("disabled", awaitStatus("disabled"));
        } finally {
            saas.delete();
        }
    }

    private String awaitStatus(String expected) throws Exception {
        String last = null;
        for (int i = 0; i < 100; i++) {
            last = JSON.readTree(Http.get(base() + "/api/v1/saas/status").body()).get("status").asText();
            if (expected.equals(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        return last;
    }

    @Test
    public void unknownPathsAreJson404() throws Exception {
        Http.await(base() + "/api/v1/saas/status", 200, Duration.ofSeconds(20));
        for (String path : List.of("/api/v1/nope", "/api/v1/", "/api/v1", "/api/v2/saas/status",
                "/api/v1/saas/status/extra", "/api/v1/saas/provisionx")) {
            HttpResponse<String> response = Http.get(base() + path);
            assertEquals(path, 404, response.statusCode());
            JsonNode body = JSON.readTree(response.body());
            assertEquals(path, "not_found", body.get("error").asText());
            assertNotNull(path, body.get("message"));
        }
    }

    @Test
    public void wrongMethodIs405WithAllow() throws Exception {
        Http.await(base() + "/api/v1/saas/status", 200, Duration.ofSeconds(20));
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> response = Http.send(method, base() + "/api/v1/saas/status", "{}",
                    "application/json");
            assertEquals(method, 405, response.statusCode());
            assertEquals(method, "GET, HEAD, OPTIONS", response.headers().firstValue("Allow").orElse(""));
            assertEquals(method, "method_not_allowed", JSON.readTree(response.body()).get("error").asText());
        }
        HttpResponse<String> head = Http.send("HEAD", base() + "/api/v1/saas/status", null, null);
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    public void nothingACallerSendsProducesA500OrAStackTrace() throws Exception {
        Http.await(base() + "/api/v1/saas/status", 200, Duration.ofSeconds(20));
        int port = Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
        String big = "x".repeat(20_000);
        List<String> requests = List.of(
                "GET /api/v1/saas/status?x=%ZZ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "GET /api/v1/saas/%2e%2e/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "GET /api/v1/saas/%00status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "GET /api/v1/saas/status;jsessionid=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "GET /api/v1/" + "a/".repeat(5000) + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "GET /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\nConnection: close\r\n\r\n",
                "POST /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: "
                        + big.length() + "\r\nConnection: close\r\n\r\n" + big,
                "POST /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{not json",
                "POST /api/v1/nope HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\n\u0000\u0001\u0002",
                "POST /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n{}",
                "POST /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
                "OPTIONS /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "TRACE /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "BREW /api/v1/saas/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "GET /api/v1/saas/status HTTP/9.9\r\nHost: a\r\n\r\n",
                "garbage\r\n\r\n");
        for (String request : requests) {
            Http.RawResponse response = Http.raw("127.0.0.1", port,
                    request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String what = request.substring(0, Math.min(60, request.indexOf('\r') < 0 ? request.length()
                    : request.indexOf('\r')));
            assertTrue(what + " -> " + response.status(), response.status() > 0 && response.status() < 500
                    || response.status() == 505 && request.contains("HTTP/9.9"));
            assertFalse(what + " leaked a stack trace", response.text().contains("Exception")
                    || response.text().contains("\tat "));
        }
        // and the API still answers afterwards
        assertEquals(200, Http.get(base() + "/api/v1/saas/status").statusCode());
    }

    @Test
    public void providerBundlesExportNothing() {
        for (Bundle bundle : context.getBundles()) {
            String bsn = bundle.getSymbolicName();
            if (bsn == null || !bsn.startsWith("io.edgeflow.") || bsn.equals("io.edgeflow.api")) {
                continue;
            }
            BundleWiring wiring = bundle.adapt(BundleWiring.class);
            assertNotNull(bsn + " is not resolved", wiring);
            assertTrue(bsn + " exports " + wiring.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE),
                    wiring.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE).isEmpty());
            if (wiring.getRevision().getTypes() == BundleRevision.TYPE_FRAGMENT) {
                // io.edgeflow.slf4j.binding: a fragment is never active; it is attached to its host
                assertFalse(bsn + " is not attached to its host",
                        wiring.getRequiredWires(HostNamespace.HOST_NAMESPACE).isEmpty());
                assertEquals(bsn + " is not resolved", Bundle.RESOLVED, bundle.getState());
            } else {
                assertEquals(bsn + " is not active", Bundle.ACTIVE, bundle.getState());
            }
        }
    }

    @Test
    public void everyEdgeFlowPidHasMetatypeWithNamesDescriptionsAndDefaults() {
        int described = 0;
        for (Bundle bundle : context.getBundles()) {
            MetaTypeInformation info = metaType.getMetaTypeInformation(bundle);
            if (info == null) {
                continue;
            }
            for (String pid : info.getPids()) {
                if (!pid.startsWith("io.edgeflow.")) {
                    continue;
                }
                ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
                assertNotNull(pid, ocd);
                assertFalse(pid + " has no name", ocd.getName() == null || ocd.getName().isBlank());
                assertFalse(pid + " has no description", ocd.getDescription() == null);
                for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                    String what = pid + " " + ad.getID();
                    assertFalse(what + " has no name", ad.getName() == null || ad.getName().isBlank());
                    assertFalse(what + " has no description",
                            ad.getDescription() == null || ad.getDescription().isBlank());
                    if (ad.getType() != AttributeDefinition.PASSWORD) {
                        assertNotNull(what + " has no default", ad.getDefaultValue());
                    }
                }
                described++;
            }
        }
        assertTrue("expected at least io.edgeflow.agent and io.edgeflow.saas, found " + described, described >= 2);
        // the HTTP server's PID is described by Felix HTTP Jetty itself
        boolean http = false;
        for (Bundle bundle : context.getBundles()) {
            MetaTypeInformation info = metaType.getMetaTypeInformation(bundle);
            if (info != null && java.util.Arrays.asList(info.getPids()).contains("org.apache.felix.http")) {
                http = true;
            }
        }
        assertTrue("org.apache.felix.http has no metatype", http);
    }

    @SuppressWarnings("unused")
    private static <T> List<T> list(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @SuppressWarnings("unused")
    private static boolean exists(Path path) {
        return Files.exists(path);
    }
}
