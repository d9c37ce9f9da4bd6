package io.edgeflow.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Apache Karaf 4.4.8 (the minimal distribution from Maven Central, unpacked by the build) started once as a process on
 * free loopback ports, with our feature repository added and the feature {@code edgeflow} installed at boot, and
 * EdgeFlow configured as an operator would: through {@code etc/io.edgeflow.*.cfg}, and {@code EDGEFLOW_HTTP_*} in
 * Karaf's environment. Then, in this order, on that one Karaf: the local API's endpoints on the port
 * {@code EDGEFLOW_HTTP_PORT} moved Pax Web to; the device provisioned and online against the reference cloud (its own
 * CA) by writing {@code etc/io.edgeflow.saas.cfg} while Karaf runs; and a second provisioning through
 * {@code POST /api/v1/saas/provision} on Karaf's port.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafFeatureIT {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration ONLINE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Path karaf;
    private static Path work;
    private static Process process;
    private static CloudProcess cloud;
    /** Karaf's own port, in etc/org.ops4j.pax.web.cfg: EDGEFLOW_HTTP_PORT moves Pax Web away from it. */
    private static int paxWebCfgPort;
    /** EDGEFLOW_HTTP_PORT given to Karaf's process. */
    private static int httpPort;
    private static int unusedCloudPort;

    @BeforeAll
    static void startKarafAndTheCloud() throws Exception {
        karaf = Path.of(System.getProperty("karaf.home"));
        assertThat(karaf.resolve("bin/karaf")).as("Karaf unpacked by the build").isRegularFile();
        // a rerun without `clean` starts from the distribution's state, not from the last run's
        deleteTree(karaf.resolve("data"));
        Files.deleteIfExists(karaf.resolve("etc/io.edgeflow.saas.cfg"));
        work = Files.createTempDirectory("edgeflow-karaf-it");
        // the cloud starts while Karaf boots
        cloud = CloudProcess.start(work.resolve("cloud"), "--tunnel-idle-timeout", "10s");

        paxWebCfgPort = freePort();
        httpPort = freePort();
        unusedCloudPort = freePort();
        int sshPort = freePort();

        Path features = karaf.resolve("edgeflow-features.xml");
        Files.writeString(features, repositoryWithBuiltBundles());
        String cfg = Files.readString(karaf.resolve("etc/org.apache.karaf.features.cfg"));
        cfg = cfg.replace("featuresRepositories = \\\n",
                        "featuresRepositories = \\\n    " + features.toUri() + ", \\\n")
                .replace("featuresBoot = \\\n", "featuresBoot = \\\n    edgeflow, \\\n");
        assertThat(cfg).contains(features.toUri().toString()).contains("    edgeflow, \\");
        Files.writeString(karaf.resolve("etc/org.apache.karaf.features.cfg"), cfg);
        Files.writeString(karaf.resolve("etc/org.ops4j.pax.web.cfg"), "org.osgi.service.http.port = "
                + paxWebCfgPort + "\norg.ops4j.pax.web.listening.addresses = 127.0.0.1\n");
        String shell = Files.readString(karaf.resolve("etc/org.apache.karaf.shell.cfg"));
        Files.writeString(karaf.resolve("etc/org.apache.karaf.shell.cfg"),
                shell.replace("sshPort = 8101", "sshPort = " + sshPort).replace("sshHost = 0.0.0.0", "sshHost = 127.0.0.1"));

        Files.writeString(karaf.resolve("etc/io.edgeflow.agent.cfg"), "data_dir = " + work.resolve("data") + "\n");
        Files.writeString(karaf.resolve("etc/io.edgeflow.saas.cfg"), "url = 127.0.0.1:" + unusedCloudPort + "\n");
        // short heartbeats and retries, so that the tunnel is seen online soon after each provisioning
        Files.writeString(karaf.resolve("etc/io.edgeflow.tunnel.cfg"),
                "heartbeat_interval_seconds = 2\nbackoff_base_ms = 100\nbackoff_cap_seconds = 2\n");

        ProcessBuilder builder = new ProcessBuilder(karaf.resolve("bin/karaf").toString(), "server")
                .directory(karaf.toFile()).redirectErrorStream(true)
                .redirectOutput(karaf.resolve("karaf-console.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.keySet().removeIf(name -> name.startsWith("EDGEFLOW_"));
        // the local API's address as for the standalone agent: io.edgeflow.config maps it to Pax Web's PID
        env.put("EDGEFLOW_HTTP_PORT", Integer.toString(httpPort));
        env.put("EDGEFLOW_HTTP_HOST", "127.0.0.1");
        // not this machine's /etc/edgeflow/.env
        env.put("EDGEFLOW_ENV_FILE", work.resolve("absent.env").toString());
        Instant started = Instant.now();
        process = builder.start();

        HttpResponse<String> answer = null;
        Instant deadline = started.plus(BOOT);
        while (Instant.now().isBefore(deadline)) {
            answer = tryGet(api("/api/v1/saas/status"));
            if (answer != null && answer.statusCode() == 200) {
                break;
            }
            // waits for Karaf to exit, which would be the failure, and paces the polling meanwhile
            if (process.waitFor(500, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Karaf exited (" + process.exitValue() + "):\n"
                        + tail(karaf.resolve("karaf-console.log")));
            }
        }
        System.out.println("Karaf: first answer of /api/v1/saas/status on EDGEFLOW_HTTP_PORT after "
                + Duration.between(started, Instant.now()).toMillis() + " ms");
        assertThat(answer).as("an answer on EDGEFLOW_HTTP_PORT within %s; Karaf's log:%n%s", BOOT,
                tail(karaf.resolve("data/log/karaf.log"))).isNotNull();
        assertThat(answer.statusCode()).isEqualTo(200);
        cloud.awaitListening(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopKarafAndTheCloud() throws Exception {
        try {
            stopKaraf();
        } finally {
            try {
                if (cloud != null) {
                    cloud.close();
                }
            } finally {
                if (work != null) {
                    deleteTree(work);
                }
            }
        }
    }

    private static void stopKaraf() throws InterruptedException {
        if (process == null) {
            return;
        }
        // bin/karaf runs Java as its child: stop that too (SIGTERM, then SIGKILL), only what this test started,
        // and wait until each has gone, so the next test or build finds its ports free
        List<ProcessHandle> started = new ArrayList<>(process.descendants().toList());
        started.add(process.toHandle());
        started.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : started) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException stillRunning) {
                handle.destroyForcibly();
                handle.onExit().completeOnTimeout(handle, 10, TimeUnit.SECONDS).join();
            }
        }
    }

    @Test
    @Order(1)
    void theLocalApiAnswersOnThePortEdgeflowHttpPortGaveKaraf() throws Exception {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(api("/api/v1/saas/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(answer.body()).contains("\"status\"").contains("127.0.0.1:" + unusedCloudPort);
        String log = karafLog();
        assertThat(log).as("the vault under etc/io.edgeflow.agent.cfg's data_dir, from its first activation")
                .contains("Credential vault " + work.resolve("data").resolve("vault")).doesNotContain("/var/lib/edgeflow");
        assertThat(log).as("EDGEFLOW_HTTP_PORT went to Pax Web's PID")
                .contains("EDGEFLOW_HTTP_PORT=" + httpPort + " from the environment -> org.ops4j.pax.web "
                        + "org.osgi.service.http.port")
                .doesNotContain("org.apache.felix.http")
                .as("no false alarm of the port check, which is Felix HTTP's").doesNotContain("cannot listen");
        awaitTrue("Pax Web left the port of etc/org.ops4j.pax.web.cfg", () -> refused(paxWebCfgPort));

        HttpResponse<String> facts = CLIENT.send(HttpRequest.newBuilder(api("/api/v1/device/facts")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(facts.statusCode()).isEqualTo(200);
        assertThat(facts.body()).startsWith("{");

        // every servlet serves, not only the first (Pax Web keys them by name): a bad request gets our JSON error
        HttpResponse<String> provision = CLIENT.send(HttpRequest.newBuilder(api("/api/v1/saas/provision"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(provision.statusCode()).isBetween(400, 499);
        assertThat(provision.body()).contains("\"error\"");

        HttpResponse<String> missing = CLIENT.send(HttpRequest.newBuilder(api("/api/v1/no-such-thing")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"error\"");
    }

    @Test
    @Order(2)
    void aCodeInEtcIoEdgeflowSaasCfgProvisionsTheDeviceAndItGoesOnline() throws Exception {
        String code = cloud.createCode();
        // edited while Karaf runs, as an operator would (File Install reads the file within a second or so);
        // renamed into place, so that File Install never reads half a file
        writeEtc("io.edgeflow.saas.cfg", "enabled = true\nurl = " + cloud.url() + "\nca_file = " + cloud.caFile()
                + "\n.provisioning_code = " + code + "\nretry_initial_delay_ms = 200\nretry_max_delay_seconds = 2\n");

        JsonNode status = awaitStatus("online", s -> s.path("status").asText().equals("online"));
        assertThat(status.get("connected").asBoolean()).isTrue();
        assertThat(status.get("saas_url").asText()).isEqualTo(cloud.url());
        String deviceId = status.get("device_id").asText();
        assertThat(deviceId).startsWith("dev_");
        assertOnlineSeenFromTheCloud(deviceId);

        awaitTrue("the used code removed from etc/io.edgeflow.saas.cfg (Config Admin, saved back by File Install)",
                () -> !Files.readString(karaf.resolve("etc/io.edgeflow.saas.cfg")).contains(code));
        assertThat(Files.readString(karaf.resolve("etc/io.edgeflow.saas.cfg"))).contains("url = " + cloud.url());
        assertThat(karafLog()).as("the code is never logged, only masked")
                .doesNotContain(code).contains("PROV-****-" + code.substring(code.length() - 4));
    }

    @Test
    @Order(3)
    void aSecondCodeThroughThePostOnKarafsPortProvisionsAgainAndItGoesOnline() throws Exception {
        String before = status().path("device_id").asText();
        String code = cloud.createCode();
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(api("/api/v1/saas/provision"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofString("{\"provisioning_code\": \"" + code + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        JsonNode credentials = JSON.readTree(answer.body());
        String deviceId = credentials.get("device_id").asText();
        String apiKey = credentials.get("api_key").asText();
        assertThat(deviceId).startsWith("dev_").isNotEqualTo(before);
        assertThat(apiKey).startsWith("efk_");

        awaitStatus("online as the new device", s -> s.path("status").asText().equals("online")
                && s.path("device_id").asText().equals(deviceId));
        assertOnlineSeenFromTheCloud(deviceId);
        assertThat(karafLog()).as("neither the code nor the key is logged").doesNotContain(code).doesNotContain(apiKey);
        assertThat(cloud.log()).doesNotContain(code).doesNotContain(apiKey);
    }

    /** The cloud sees the device online and reaches its local API through the tunnel. */
    private static void assertOnlineSeenFromTheCloud(String deviceId) throws Exception {
        awaitTrue("the cloud sees " + deviceId + " online",
                () -> cloud.admin("GET", "devices/" + deviceId, null).body().get("online").asBoolean());
        CloudProcess.Answer device = cloud.admin("GET", "devices/" + deviceId, null);
        assertThat(device.body().get("status").asText()).isEqualTo("active");
        CloudProcess.Answer remote = cloud.admin("GET", "devices/" + deviceId + "/local/api/v1/saas/status", null);
        assertThat(remote.status()).as("a call through the tunnel: %s", remote.body()).isEqualTo(200);
        assertThat(remote.body().get("device_id").asText()).isEqualTo(deviceId);
        assertThat(remote.body().get("status").asText()).isEqualTo("online");
        CloudProcess.Answer facts = cloud.admin("GET", "devices/" + deviceId + "/local/api/v1/device/facts", null);
        assertThat(facts.status()).isEqualTo(200);
        assertThat(facts.body().has("hardware")).isTrue();
    }

    private static void writeEtc(String name, String text) throws IOException {
        // File Install reads only *.cfg, *.config and *.json: the temporary name is not read
        Path temp = karaf.resolve("etc").resolve(name + ".tmp");
        Files.writeString(temp, text);
        Files.move(temp, karaf.resolve("etc").resolve(name), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static JsonNode status() throws Exception {
        return JSON.readTree(CLIENT.send(HttpRequest.newBuilder(api("/api/v1/saas/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode awaitStatus(String what, Predicate<JsonNode> condition) throws Exception {
        Instant deadline = Instant.now().plus(ONLINE);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            last = status();
            if (condition.test(last)) {
                return last;
            }
            pace();
        }
        throw new AssertionError("status not " + what + " within " + ONLINE + "; last: " + last + "\nKaraf's log:\n"
                + tail(karaf.resolve("data/log/karaf.log")) + "\nthe cloud's log:\n" + cloud.log());
    }

    /** A condition that may throw while it is not yet true. */
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(ONLINE);
        while (Instant.now().isBefore(deadline)) {
            if (check.holds()) {
                return;
            }
            pace();
        }
        throw new AssertionError("not so within " + ONLINE + ": " + what + "\nKaraf's log:\n"
                + tail(karaf.resolve("data/log/karaf.log")));
    }

    /** Paces polling: waits for Karaf to exit (the failure), at most 250 ms. */
    private static void pace() throws InterruptedException {
        if (process.waitFor(250, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Karaf exited (" + process.exitValue() + ")");
        }
    }

    private static boolean refused(int port) throws InterruptedException {
        try {
            CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            return false;
        } catch (ConnectException closed) {
            return true;
        } catch (IOException other) {
            return other.getCause() instanceof ConnectException;
        }
    }

    private static URI api(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** The built repository, with our bundles as the files this build made (not whatever ~/.m2 holds). */
    private static String repositoryWithBuiltBundles() throws IOException {
        String xml = Files.readString(Path.of(System.getProperty("edgeflow.features")));
        for (String bundle : System.getProperty("edgeflow.bundles").split(",")) {
            String[] parts = bundle.split("=", 2);
            String url = "mvn:io.edgeflow/" + parts[0] + "/" + System.getProperty("edgeflow.version");
            assertThat(xml).contains(url);
            xml = xml.replace(url, Path.of(parts[1]).toUri().toString());
        }
        return xml;
    }

    private static HttpResponse<String> tryGet(URI uri) throws InterruptedException {
        try {
            return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
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

    /** @return Karaf's whole log, where a secret must not appear anywhere */
    private static String karafLog() throws IOException {
        Path log = karaf.resolve("data/log/karaf.log");
        return Files.exists(log) ? Files.readString(log) : "(no " + log + ")";
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no " + file + ")";
        }
        String text = Files.readString(file);
        return text.length() > 20000 ? text.substring(text.length() - 20000) : text;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
