package io.edgeflow.runtimes.kura;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * EdgeFlow in a Kura 5-like runtime started as its own JVM, the way Kura starts: Equinox 3.16's EclipseStarter
 * ({@code java -jar org.eclipse.osgi.jar}) with a {@code configuration/config.ini} listing the bundles in
 * {@code osgi.bundles}, at the versions Kura 5.4 ships (runtimes/kura/pom.xml): Felix SCR 2.1.16, Equinox Config
 * Admin and Metatype, Equinox HTTP servlet 1.6.600 served by org.eclipse.equinox.http.jetty on Jetty 9.4, javax.servlet
 * 3.1, slf4j 1.7.36; plus our bundles, jackson-core, and two test bundles: one exporting Kura's marker package (built
 * here from the compile-time stub) and a probe that reports the bundles, components and Kura services over HTTP.
 * The local API is then driven as a user would, and the device provisioned against the real reference cloud.
 */
class KuraRuntimeIT {
    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every PID of ours with a metatype: each must show in Kura's configuration UI. */
    private static final List<String> CONFIGURABLE_PIDS = List.of("io.edgeflow.agent", "io.edgeflow.facts.hardware",
            "io.edgeflow.facts.network", "io.edgeflow.localapi", "io.edgeflow.saas", "io.edgeflow.tunnel",
            "io.edgeflow.update", "io.edgeflow.vault");
    /** The one component that waits, until the device is provisioned, for the identity the vault registers. */
    private static final String TUNNEL = "io.edgeflow.tunnel.internal.TunnelComponent";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process equinox;
    private ReferenceCloudProcess cloud;
    private Path log;
    private int httpPort;

    @AfterEach
    void stopWhatThisTestStarted() throws InterruptedException {
        try {
            if (equinox != null) {
                // SIGTERM (Equinox stops the framework in its shutdown hook), SIGKILL if it hangs
                equinox.destroy();
                try {
                    equinox.onExit().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException hung) {
                    equinox.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (cloud != null) {
                cloud.close();
            }
        }
    }

    @Test
    void edgeFlowServesProvisionsAndListsItsSettingsForKura() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("kura.it.dir"))).resolve("run-"
                + System.currentTimeMillis());
        cloud = ReferenceCloudProcess.start(Path.of(System.getProperty("edgeflow.cloud.jar")), dir.resolve("cloud"));
        httpPort = freePort();
        // configured as on a gateway: an env file (EDGEFLOW_ENV_FILE's framework property), no EDGEFLOW_* variables
        Path envFile = dir.resolve("edgeflow.env");
        Files.writeString(envFile, "EDGEFLOW_SAAS_ENABLED=true\n"
                + "EDGEFLOW_SAAS_URL=" + cloud.url() + "\n"
                + "EDGEFLOW_SAAS_CA_FILE=" + cloud.caFile() + "\n"
                + "EDGEFLOW_SAAS_RETRY_MAX_DELAY=2\n"
                + "EDGEFLOW_DATA_DIR=" + dir.resolve("data") + "\n");
        Path configuration = Files.createDirectories(dir.resolve("configuration"));
        Files.writeString(configuration.resolve("config.ini"), configIni(dir, envFile, httpPort));

        log = dir.resolve("equinox.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar",
                System.getProperty("kura.framework"), "-configuration", configuration.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("EDGEFLOW_"));
        Instant started = Instant.now();
        equinox = builder.start();

        // 1. status: the first answer of the local API
        HttpResponse<String> status = await("GET /api/v1/saas/status answers 200", started.plus(BOOT),
                () -> get("/api/v1/saas/status"), r -> r != null && r.statusCode() == 200);
        long firstAnswer = Duration.between(started, Instant.now()).toMillis();
        assertThat(status.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(JSON.readTree(status.body()).get("saas_url").asText()).isEqualTo(cloud.url());

        // 2. every bundle of ours active, every component satisfied but the tunnel (it waits for the device identity
        // that the vault registers); our PIDs registered for Kura's UI
        JsonNode state = await("every EdgeFlow bundle ACTIVE, every component satisfied but the tunnel, every PID "
                + "listed for Kura", Instant.now().plusSeconds(20), this::probe, s -> settled(s, TUNNEL));
        assertThat(state.get("scr").asBoolean()).as("Felix SCR runs").isTrue();
        assertThat(ours(state.get("bundles"))).as("our bundles, all ACTIVE").hasSize(12)
                .allSatisfy(b -> assertThat(b.get("state").asText()).as(b.get("name").asText()).isEqualTo("ACTIVE"));
        assertThat(ours(state.get("components"))).as("our components").hasSizeGreaterThan(10).allSatisfy(c -> assertThat(
                satisfied(c) || c.get("name").asText().equals(TUNNEL)).as("%s: %s", c.get("name").asText(),
                c.get("states")).isTrue());
        Map<String, String> listed = new TreeMap<>();
        state.get("configurable").forEach(s -> listed.put(s.get("service.pid").asText(),
                s.get("kura.service.pid").asText() + " by " + s.get("bundle").asText()));
        assertThat(listed).as("the ConfigurableComponent services Kura's ConfigurationService tracks")
                .containsOnlyKeys(CONFIGURABLE_PIDS)
                .allSatisfy((pid, what) -> assertThat(what).isEqualTo(pid + " by io.edgeflow.kura"));
        assertThat(Files.readString(log)).as("nothing our metatype leaves unreadable for Kura")
                .doesNotContain("Kura cannot read");

        // 3. facts
        HttpResponse<String> facts = get("/api/v1/device/facts");
        assertThat(facts.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(facts.body()).isObject()).isTrue();

        // 3b. the inventory (issue 14) on Kura's Equinox, Felix SCR 2.1.16 (DS 1.4) and Equinox Metatype
        JsonNode bundles = JSON.readTree(get("/api/v1/bundles").body()).get("bundles");
        assertThat(bundles).as("GET /api/v1/bundles").anySatisfy(b -> assertThat(b.get("symbolic_name").asText())
                .isEqualTo("io.edgeflow.inventory"));
        JsonNode components = JSON.readTree(get("/api/v1/components").body()).get("components");
        assertThat(components).as("GET /api/v1/components").anySatisfy(c -> assertThat(c.get("name").asText() + " "
                + c.get("state").asText()).isEqualTo("io.edgeflow.inventory.internal.ConfigServlet active"));
        JsonNode configurations = JSON.readTree(get("/api/v1/config").body()).get("configurations");
        assertThat(configurations).as("GET /api/v1/config").anySatisfy(c -> assertThat(c.get("pid").asText())
                .isEqualTo("io.edgeflow.tunnel"));

        // 4. a JSON 404 of our own, not Jetty's HTML page
        HttpResponse<String> missing = get("/api/v1/no-such-thing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).isNotBlank();

        // 5. provision with a code from the cloud: the device registers and its tunnel goes online
        String code = cloud.createCode();
        HttpResponse<String> provisioned = client.send(HttpRequest.newBuilder(api("/api/v1/saas/provision"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"provisioning_code\": \"" + code + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(provisioned.statusCode()).as(provisioned.body()).isEqualTo(201);
        Instant provisioning = Instant.now();
        JsonNode online = JSON.readTree(await("the tunnel online", Instant.now().plusSeconds(30),
                () -> get("/api/v1/saas/status"), KuraRuntimeIT::online).body());
        long toOnline = Duration.between(provisioning, Instant.now()).toMillis();
        String deviceId = online.get("device_id").asText();
        assertThat(cloud.device(deviceId).get("status").asText()).isEqualTo("active");
        assertThat(Files.readString(log)).as("the code is never printed in full").doesNotContain(code);
        JsonNode after = await("every EdgeFlow component satisfied, the tunnel too", Instant.now().plusSeconds(10),
                this::probe, s -> settled(s, null));
        assertThat(ours(after.get("components"))).allSatisfy(c -> assertThat(satisfied(c)).as("%s: %s",
                c.get("name").asText(), c.get("states")).isTrue());

        // 6. what Kura's ConfigurationService does to each listed PID at start (metatype defaults merged in, plus
        // kura.service.pid): the device stays online, nothing refused, every component still satisfied
        HttpResponse<String> seeded = client.send(HttpRequest.newBuilder(api("/edgeflow-itest/kura-seed"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(seeded.statusCode()).as(seeded.body()).isEqualTo(200);
        assertThat(JSON.readTree(seeded.body()).get("seeded")).hasSize(CONFIGURABLE_PIDS.size());
        JsonNode reseeded = await("every EdgeFlow component satisfied after Kura's seeding", Instant.now()
                .plusSeconds(10), this::probe, s -> settled(s, null));
        assertThat(ours(reseeded.get("components"))).allSatisfy(c -> assertThat(satisfied(c)).as("%s: %s",
                c.get("name").asText(), c.get("states")).isTrue());
        JsonNode stillOnline = JSON.readTree(await("online, no configuration error, after Kura's seeding",
                Instant.now().plusSeconds(15), () -> get("/api/v1/saas/status"),
                r -> online(r) && errorFree(r)).body());
        assertThat(stillOnline.get("device_id").asText()).isEqualTo(deviceId);

        System.out.printf("Kura-like runtime: first answer of /api/v1/saas/status %d ms after start; "
                + "online %d ms after POST /api/v1/saas/provision; %d bundles, %d components; listed for Kura: %s%n",
                firstAnswer, toOnline, after.get("bundles").size(), after.get("components").size(), listed.keySet());
    }

    /**
     * EDGEFLOW_HTTP_HOST and EDGEFLOW_HTTP_PORT on Kura: Equinox HTTP Jetty's default server (Kura's, from framework
     * properties) stays as it is; the variables make the factory configuration
     * {@code org.eclipse.equinox.http.jetty.config~edgeflow}, a Jetty server of the agent's own on that address. The
     * local API answers there; a web UI servlet of Kura's (stood in for by the probe, on the whiteboard with no
     * target, and on the HttpService as Kura 5's console registers) never shows on the EdgeFlow port.
     */
    @Test
    void edgeFlowHttpVariablesServeTheLocalApiOnAServerOfItsOwn() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("kura.it.dir"))).resolve("run-http-"
                + System.currentTimeMillis());
        httpPort = freePort();
        int edgeFlowPort = freePort();
        Path envFile = dir.resolve("edgeflow.env");
        Files.createDirectories(dir);
        Files.writeString(envFile, "EDGEFLOW_DATA_DIR=" + dir.resolve("data") + "\n");
        Path configuration = Files.createDirectories(dir.resolve("configuration"));
        Files.writeString(configuration.resolve("config.ini"), configIni(dir, envFile, httpPort));
        log = dir.resolve("equinox.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar",
                System.getProperty("kura.framework"), "-configuration", configuration.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("EDGEFLOW_"));
        builder.environment().put("EDGEFLOW_HTTP_HOST", "127.0.0.1");
        builder.environment().put("EDGEFLOW_HTTP_PORT", Integer.toString(edgeFlowPort));
        Instant started = Instant.now();
        equinox = builder.start();

        // the local API on the EdgeFlow port
        HttpResponse<String> status = await("GET /api/v1/saas/status answers 200 on the EdgeFlow port",
                started.plus(BOOT), () -> get(edgeFlowPort, "/api/v1/saas/status"),
                r -> r != null && r.statusCode() == 200);
        long firstAnswer = Duration.between(started, Instant.now()).toMillis();
        assertThat(status.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(JSON.readTree(status.body()).has("status")).as(status.body()).isTrue();

        // the configuration the variables made, in Equinox HTTP Jetty's factory
        JsonNode http = await("the probe answers on Kura's port", Instant.now().plusSeconds(20),
                () -> get(httpPort, "/edgeflow-itest/http"), r -> r != null && r.statusCode() == 200)
                .body().transform(KuraRuntimeIT::json);
        assertThat(http.get("configurations")).as("Equinox HTTP Jetty's factory configurations").hasSize(1);
        JsonNode edgeFlowServer = http.get("configurations").get(0);
        assertThat(edgeFlowServer.get("service.pid").asText()).isEqualTo("org.eclipse.equinox.http.jetty.config~edgeflow");
        assertThat(edgeFlowServer.get("http.host").asText()).isEqualTo("127.0.0.1");
        assertThat(edgeFlowServer.get("http.port").asText()).isEqualTo(Integer.toString(edgeFlowPort));

        // a web UI servlet of Kura's: registered on the HttpService a plain look-up gives, as Kura 5's console does
        HttpResponse<String> registered = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/edgeflow-itest/http")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        Map<String, String> seen = new TreeMap<>();
        for (int port : List.of(httpPort, edgeFlowPort)) {
            for (String path : List.of("/api/v1/saas/status", "/api/v1/device/facts", "/api/v1/saas/provision",
                    "/api/v1/nothing", "/kura-ui-stand-in/whiteboard",
                    "/kura-ui-stand-in/http-service")) {
                HttpResponse<String> r = get(port, path);
                seen.put((port == httpPort ? "kura " : "edgeflow ") + path, r == null ? "no answer"
                        : r.statusCode() + " " + r.body().substring(0, Math.min(40, r.body().length())));
            }
        }
        System.out.printf("Kura-like runtime with EDGEFLOW_HTTP_*: first answer on the EdgeFlow port %d ms after "
                + "start; what each port serves: %s%n", firstAnswer, seen);
        // ours on the EdgeFlow port only: the operator's address is the one the local API is reachable on
        assertThat(seen).containsEntry("edgeflow /api/v1/saas/status", "200 " + status.body().substring(0,
                Math.min(40, status.body().length())));
        assertThat(seen.get("edgeflow /api/v1/device/facts")).startsWith("200 {");
        assertThat(seen.get("edgeflow /api/v1/saas/provision")).as("GET on the provisioning resource: ours, JSON")
                .startsWith("405 {");
        assertThat(seen.get("edgeflow /api/v1/nothing")).startsWith("404 {");
        for (String path : List.of("/api/v1/saas/status", "/api/v1/device/facts", "/api/v1/saas/provision")) {
            assertThat(seen.get("kura " + path)).as("the local API on Kura's port").startsWith("404 ")
                    .doesNotContain("{");
        }
        // Kura's UI: its web console registers on the HttpService, which belongs to Kura's server alone
        assertThat(seen.get("kura /kura-ui-stand-in/http-service")).isEqualTo("200 kura-ui");
        assertThat(seen.get("edgeflow /kura-ui-stand-in/http-service")).as("Kura's HttpService UI on the EdgeFlow port")
                .startsWith("404 {");
        // a whiteboard servlet without osgi.http.whiteboard.target serves on every HTTP runtime (HTTP Whiteboard
        // spec, Equinox HTTP servlet 1.6.600 does so): on the EdgeFlow port too. docs/kura.md says so; the day this
        // changes, the doc changes with it.
        assertThat(seen.get("kura /kura-ui-stand-in/whiteboard")).isEqualTo("200 kura-ui");
        assertThat(seen.get("edgeflow /kura-ui-stand-in/whiteboard")).isEqualTo("200 kura-ui");
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** Our bundles in Kura's way of listing them (config.ini, osgi.bundles), each started at level 4. */
    private static String configIni(Path dir, Path envFile, int httpPort) throws IOException {
        List<String> bundles = new ArrayList<>();
        for (String jar : System.getProperty("kura.bundles").split(",")) {
            bundles.add(reference(Path.of(jar.strip())));
        }
        bundles.add(reference(markerBundle(dir)));
        bundles.add(reference(probeBundle(dir)));
        // Kura 5.4's config.ini, less what needs Kura itself; ports and storage ours
        return "osgi.bundles=" + String.join(",\\\n  ", bundles) + "\n"
                + "osgi.bundles.defaultStartLevel=4\n"
                + "osgi.clean=true\n"
                + "osgi.noShutdown=true\n"
                + "eclipse.ignoreApp=true\n"
                + "osgi.configuration.cascaded=false\n"
                + "osgi.instance.area=" + dir.resolve("instance").toUri() + "\n"
                + "org.osgi.service.http.port=" + httpPort + "\n"
                + "org.eclipse.equinox.http.jetty.http.host=127.0.0.1\n"
                + "edgeflow.env.file=" + envFile + "\n";
    }

    private static String reference(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            boolean fragment = file.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
            return "reference:" + jar.toUri() + (fragment ? "" : "@4:start");
        }
    }

    /** A bundle exporting Kura's marker package, from the compile-time stub: what org.eclipse.kura.api does on Kura. */
    private static Path markerBundle(Path dir) throws IOException {
        Manifest manifest = manifest("org.eclipse.kura.api.itest-marker");
        manifest.getMainAttributes().putValue("Export-Package", "org.eclipse.kura.configuration;version=\"1.2.0\"");
        String entry = "org/eclipse/kura/configuration/ConfigurableComponent.class";
        try (JarFile stub = new JarFile(System.getProperty("kura.stub.jar"))) {
            return jar(dir.resolve("kura-marker.jar"), manifest, Map.of(entry,
                    stub.getInputStream(stub.getJarEntry(entry)).readAllBytes()));
        }
    }

    /** The state probe (a test class, see StateProbe) as a bundle. */
    private static Path probeBundle(Path dir) throws IOException {
        Manifest manifest = manifest("io.edgeflow.itest.kura-probe");
        manifest.getMainAttributes().putValue("Bundle-Activator", "io.edgeflow.runtimes.kura.probe.StateProbe");
        manifest.getMainAttributes().putValue("Import-Package", "javax.servlet,javax.servlet.http,org.osgi.framework,"
                + "org.osgi.service.component.runtime,org.osgi.service.component.runtime.dto,org.osgi.dto,"
                + "org.osgi.framework.dto,org.osgi.service.cm,org.osgi.service.metatype,org.osgi.service.http");
        Path classes = Path.of(System.getProperty("kura.it.classes"));
        Map<String, byte[]> entries = new TreeMap<>();
        try (Stream<Path> files = Files.list(classes.resolve("io/edgeflow/runtimes/kura/probe"))) {
            for (Path file : files.toList()) {
                entries.put(classes.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return jar(dir.resolve("kura-probe.jar"), manifest, entries);
    }

    private static Manifest manifest(String symbolicName) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        return manifest;
    }

    private static Path jar(Path path, Manifest manifest, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(entry.getKey()));
                jar.write(entry.getValue());
                jar.closeEntry();
            }
        }
        return path;
    }

    private JsonNode probe() throws Exception {
        HttpResponse<String> response = get("/edgeflow-itest/state");
        return response == null || response.statusCode() != 200 ? null : JSON.readTree(response.body());
    }

    private static boolean online(HttpResponse<String> status) {
        try {
            return status != null && status.statusCode() == 200
                    && JSON.readTree(status.body()).path("status").asText().equals("online");
        } catch (IOException notJson) {
            return false;
        }
    }

    private static boolean errorFree(HttpResponse<String> status) {
        try {
            return JSON.readTree(status.body()).path("error").isNull();
        } catch (IOException notJson) {
            return false;
        }
    }

    /** Whether all our bundles are active, all PIDs listed, and all our components satisfied but the one named. */
    private static boolean settled(JsonNode state, String exceptComponent) {
        return state != null && state.get("configurable").size() >= CONFIGURABLE_PIDS.size()
                && ours(state.get("bundles")).stream().allMatch(b -> b.get("state").asText().equals("ACTIVE"))
                && ours(state.get("components")).stream().allMatch(c -> satisfied(c)
                        || c.get("name").asText().equals(exceptComponent));
    }

    private static boolean satisfied(JsonNode component) {
        JsonNode states = component.get("states");
        if (states.isEmpty()) {
            return false;
        }
        for (JsonNode s : states) {
            if (!s.asText().equals("ACTIVE") && !s.asText().equals("SATISFIED")) {
                return false;
            }
        }
        return true;
    }

    /** The entries of ours: bundles named io.edgeflow.*, or components of such bundles (not the test probe). */
    private static List<JsonNode> ours(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode node : array) {
            String bundle = node.has("bundle") ? node.get("bundle").asText() : node.get("name").asText();
            if (bundle.startsWith("io.edgeflow.") && !bundle.startsWith("io.edgeflow.itest")) {
                out.add(node);
            }
        }
        return out;
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T get() throws Exception;
    }

    /** Asks until the answer passes, the deadline passes (fails with the last answer and the log) or Equinox exits. */
    private <T> T await(String what, Instant deadline, Attempt<T> attempt, Predicate<T> done) throws Exception {
        T last = null;
        while (Instant.now().isBefore(deadline)) {
            last = attempt.get();
            if (done.test(last)) {
                return last;
            }
            // paces the polling, and ends it early when Equinox exits
            if (equinox.waitFor(200, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Equinox exited (" + equinox.exitValue() + ") before: " + what + "\n"
                        + tail());
            }
        }
        throw new AssertionError("not within the time: " + what + "; last: " + describe(last) + "\n" + tail());
    }

    private static String describe(Object last) {
        return last instanceof HttpResponse<?> response ? response.statusCode() + " " + response.body()
                : String.valueOf(last);
    }

    private String tail() throws IOException {
        String text = Files.readString(log);
        return text.length() > 12000 ? text.substring(text.length() - 12000) : text;
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private HttpResponse<String> get(String path) throws InterruptedException {
        return get(httpPort, path);
    }

    private HttpResponse<String> get(int port, String path) throws InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException notYet) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
