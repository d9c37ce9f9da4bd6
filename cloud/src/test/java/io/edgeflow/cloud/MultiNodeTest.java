package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.nodes.NodeSettings;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.ConnectionLimits;
import io.edgeflow.cloud.server.DataDirectory;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.store.DatabaseUrl;
import io.edgeflow.cloud.tls.LocalCertificateAuthority;
import io.edgeflow.cloud.tunnel.TunnelSettings;
import io.edgeflow.cloud.updates.UpdateSettings;

/**
 * Three cloud nodes on one real PostgreSQL database, on loopback ports: two in this JVM and one a process of its
 * own ({@code serve --node-url ...}), all serving one certificate and sharing the node secret. Simulated devices
 * are spread over them. An admin call on one node reaches a device tunnelled to another; a revocation on one
 * closes the tunnel on another; a race on one code across the nodes has one winner; the process node killed
 * with SIGKILL: its devices come back through the others, and the one that does not is offline within the
 * heartbeat timeout. Failed codes are counted by the nodes together: five on each of two nodes lock the address
 * out on both. A dashboard session signed in on one node is valid on the other, and signing out on one ends it on
 * both (only its hash is in the store).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeTest {
    /** Short, so a dead node is noticed quickly; the simulated devices heartbeat every 500 ms. */
    static final Duration TIMEOUT = Duration.ofSeconds(4);

    @TempDir
    static Path dir;
    static String secret;
    static LocalCertificateAuthority.Result ca;
    static DatabaseUrl database;
    static String databaseText;
    static TestCloud n1;
    static TestCloud n2;
    static Process n3;
    static String n3Url;
    static HttpClient http;
    static String adminToken;
    static final List<String> n3Output = new CopyOnWriteArrayList<>();
    static final List<SimulatedDevice> beating = new CopyOnWriteArrayList<>();
    static final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() throws Exception {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        secret = HexFormat.of().formatHex(random);
        Files.createDirectories(dir.resolve("ca"));
        ca = LocalCertificateAuthority.ensure(dir.resolve("ca"), Clock.systemUTC());
        databaseText = PostgresServer.get().newDatabase();
        database = DatabaseUrl.parse(databaseText);
        int[] ports = {freePort(), freePort(), freePort()};
        n1 = node(1, ports[0]);
        adminToken = n1.adminToken;
        // what an operator does for each further node: the code key and the admin token of the first
        for (int i = 2; i <= 3; i++) {
            Files.createDirectories(dir.resolve("n" + i));
            Files.copy(dir.resolve("n1").resolve(DataDirectory.CODE_HASH_KEY),
                    dir.resolve("n" + i).resolve(DataDirectory.CODE_HASH_KEY));
            Files.writeString(dir.resolve("n" + i).resolve("admin-token"), adminToken + "\n");
        }
        n2 = node(2, ports[1]);
        n3Url = "https://127.0.0.1:" + ports[2];
        n3 = startProcessNode(ports[2]);
        http = HttpClient.newBuilder().sslContext(TestCloud.trusting(ca.serverChain()))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        AtomicLong seq = new AtomicLong();
        heartbeats.scheduleWithFixedDelay(() -> {
            for (SimulatedDevice d : beating) {
                try {
                    d.send("{\"type\": \"heartbeat\", \"seq\": " + seq.incrementAndGet() + "}");
                } catch (Exception closed) {
                    beating.remove(d);
                }
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stop() {
        heartbeats.shutdownNow();
        beating.forEach(SimulatedDevice::close);
        if (n3 != null) {
            n3.destroyForcibly();
        }
        System.out.println("Node 3 printed:\n  " + String.join("\n  ", n3Output));
        if (n2 != null) {
            n2.close();
        }
        if (n1 != null) {
            n1.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static ServerConfig config(int n, int port) {
        return new ServerConfig("127.0.0.1", port, dir.resolve("n" + n), ca.serverChain(), ca.serverKey(),
                CloudSettings.DEFAULTS, false, TunnelSettings.DEFAULTS.withIdleTimeout(TIMEOUT),
                ConnectionLimits.DEFAULTS, UpdateSettings.DEFAULTS, database);
    }

    private static TestCloud node(int n, int port) throws Exception {
        return new TestCloud(config(n, port), new NodeSettings("node-" + n,
                URI.create("https://127.0.0.1:" + port), secret), Clock.systemUTC());
    }

    /** The third node: the cloud's own command line in a JVM of its own, secret in the environment. */
    private static Process startProcessNode(int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.edgeflow.cloud.Main", "serve", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--data-dir", dir.resolve("n3").toString(), "--cert", ca.serverChain().toString(),
                "--key", ca.serverKey().toString(),
                "--node-url", "https://127.0.0.1:" + port, "--node-id", "node-3",
                "--tunnel-idle-timeout", TIMEOUT.toSeconds() + "s").redirectErrorStream(true);
        pb.environment().put("EDGEFLOW_CLOUD_NODE_SECRET", secret);
        pb.environment().put("EDGEFLOW_CLOUD_DATABASE_URL", databaseText);
        Process p = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    n3Output.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        }, "node-3-output");
        reader.setDaemon(true);
        reader.start();
        Eventually.until("node 3 listening; it printed " + n3Output, Duration.ofSeconds(60),
                () -> n3Output.stream().anyMatch(l -> l.startsWith("Listening on")) || !p.isAlive());
        assertThat(p.isAlive()).as("node 3 runs: " + n3Output).isTrue();
        return p;
    }

    private static TestCloud.Answer call(String url, String method, String path, Object body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken);
        if (body == null) {
            r.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            r.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(TestCloud.JSON.writeValueAsBytes(body)));
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? TestCloud.JSON.createObjectNode()
                : TestCloud.JSON.readTree(response.body());
        return new TestCloud.Answer(response.statusCode(), json, response);
    }

    private static JsonNode device(String url, String id) throws Exception {
        TestCloud.Answer a = call(url, "GET", "/api/v1/admin/devices/" + id, null);
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        return a.body();
    }

    /** A device registered with a code made on node 2, through node 1, and confirmed through node 3. */
    private static TestCloud.Answer provision() throws Exception {
        String code = n2.createCode();
        TestCloud.Answer a = n1.register(code);
        assertThat(a.status()).as(a.toString()).isEqualTo(201);
        TestCloud.Answer c = call(n3Url, "POST", "/api/v1/devices/" + a.text("device_id") + "/confirm", null);
        assertThat(c.status()).as(c.toString()).isEqualTo(401); // the admin token is not a device key
        HttpResponse<String> confirmed = http.send(HttpRequest.newBuilder(URI.create(n3Url + "/api/v1/devices/"
                + a.text("device_id") + "/confirm")).header("Authorization", "Bearer " + a.text("api_key"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        return a;
    }

    private static SimulatedDevice connect(String url, TestCloud.Answer d) throws Exception {
        SimulatedDevice device = SimulatedDevice.connect(http, url, d.text("device_id"), d.text("api_key"),
                "edgeflow.tunnel.v1");
        device.next("hello");
        beating.add(device);
        return device;
    }

    /** Answers the next request the device gets with 200 and a body naming the device. */
    private static void answerNext(SimulatedDevice device, String body) throws Exception {
        // not device.next("request"): the heartbeat acks keep coming, so that would wait forever for none
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        JsonNode request = null;
        while (request == null) {
            JsonNode f = device.frames.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new AssertionError("no request reached the device within 15 s");
            }
            if (f.path("type").asText().equals("request")) {
                request = f;
            }
        }
        device.send("{\"type\": \"response\", \"id\": \"" + request.path("id").asText() + "\", \"status\": 200,"
                + " \"headers\": {\"content-type\": \"application/json\"}, \"body\": \""
                + Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "\"}");
    }

    @Test
    @Order(1)
    void anAdminCallOnOneNodeReachesADeviceTunnelledToAnother() throws Exception {
        TestCloud.Answer d = provision();
        String id = d.text("device_id");
        SimulatedDevice device = connect(n3Url, d);
        for (String url : List.of(n1.url(), n2.url(), n3Url)) {
            JsonNode view = device(url, id);
            assertThat(view.path("online").asBoolean()).as("online, seen from " + url).isTrue();
            assertThat(view.path("node").asText()).as("the node holding the tunnel").isEqualTo("node-3");
        }
        CompletableFuture<TestCloud.Answer> remote = CompletableFuture.supplyAsync(() -> {
            try {
                return call(n1.url(), "GET", "/api/v1/admin/devices/" + id + "/local/api/v1/device/facts", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        answerNext(device, "{\"facts_of\": \"" + id + "\"}");
        TestCloud.Answer answer = remote.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.text("facts_of")).isEqualTo(id);

        // and the other way round: a device on node 1, called through the process node
        TestCloud.Answer e = provision();
        SimulatedDevice other = connect(n1.url(), e);
        CompletableFuture<TestCloud.Answer> back = CompletableFuture.supplyAsync(() -> {
            try {
                return call(n3Url, "POST", "/api/v1/admin/devices/" + e.text("device_id")
                        + "/local/api/v1/things", Map.of("a", 1));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        answerNext(other, "{\"made\": true}");
        assertThat(back.get(30, TimeUnit.SECONDS).body().path("made").asBoolean()).isTrue();
        // the change is audited once, in the shared trail
        JsonNode events = call(n2.url(), "GET", "/api/v1/admin/audit?limit=20", null).body().path("events");
        List<String> remoteAccess = new ArrayList<>();
        events.forEach(ev -> {
            if (ev.path("event").asText().equals("remote_access")) {
                remoteAccess.add(ev.path("device_id").asText());
            }
        });
        assertThat(remoteAccess).containsExactly(e.text("device_id"));
    }

    @Test
    @Order(2)
    void revokingOnOneNodeClosesTheTunnelOnAnother() throws Exception {
        TestCloud.Answer d = provision();
        SimulatedDevice device = connect(n2.url(), d);
        TestCloud.Answer revoked = call(n3Url, "DELETE", "/api/v1/admin/devices/" + d.text("device_id"), null);
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        // 4401: closed by the revocation (the idle timeout would close with another code)
        assertThat(device.closed.get(10, TimeUnit.SECONDS)).startsWith("4401");
        Eventually.until("offline everywhere", Duration.ofSeconds(10),
                () -> !device(n1.url(), d.text("device_id")).path("online").asBoolean());
    }

    @Test
    @Order(3)
    void aRaceOnOneCodeAcrossTheNodesHasOneWinner() throws Exception {
        String code = n1.createCode();
        List<String> urls = List.of(n1.url(), n2.url(), n3Url);
        List<CompletableFuture<Integer>> attempts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String url = urls.get(i % 3);
            attempts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/api/v1/devices/register"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(TestCloud.JSON.writeValueAsBytes(
                                    TestCloud.registration(code, UUID.randomUUID().toString())))).build();
                    return http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Integer> a : attempts) {
            statuses.add(a.get(60, TimeUnit.SECONDS));
        }
        assertThat(statuses.stream().filter(s -> s == 201).count()).as(statuses.toString()).isEqualTo(1);
        assertThat(statuses.stream().filter(s -> s == 409).count()).as(statuses.toString()).isEqualTo(29);
    }

    @Test
    @Order(4)
    void aKilledNodesDevicesComeBackThroughTheOthersAndItsRowsAreCleanedUp() throws Exception {
        TestCloud.Answer f = provision();
        TestCloud.Answer g = provision();
        SimulatedDevice fOn3 = connect(n3Url, f);
        connect(n3Url, g);
        assertThat(device(n1.url(), f.text("device_id")).path("online").asBoolean()).isTrue();

        n3.destroyForcibly(); // SIGKILL: no goodbye, no rows removed
        n3.waitFor(30, TimeUnit.SECONDS);
        assertThat(fOn3.closed.get(10, TimeUnit.SECONDS)).as("the device sees its tunnel drop").isNotNull();

        // f's agent reconnects (its backoff) through the load balancer, which now sends it to node 1
        SimulatedDevice fOn1 = connect(n1.url(), f);
        Eventually.until("f online again", Duration.ofSeconds(10),
                () -> device(n2.url(), f.text("device_id")).path("online").asBoolean());
        assertThat(device(n2.url(), f.text("device_id")).path("node").asText()).isEqualTo("node-1");
        CompletableFuture<TestCloud.Answer> remote = CompletableFuture.supplyAsync(() -> {
            try {
                return call(n2.url(), "GET", "/api/v1/admin/devices/" + f.text("device_id")
                        + "/local/api/v1/device/facts", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        answerNext(fOn1, "{\"back\": true}");
        assertThat(remote.get(30, TimeUnit.SECONDS).body().path("back").asBoolean()).isTrue();

        // g does not come back: the live nodes clean up after node 3, and g shows offline
        Eventually.until("g offline after node 3's heartbeat timed out", Duration.ofSeconds(30),
                () -> !device(n1.url(), g.text("device_id")).path("online").asBoolean());
        JsonNode gView = device(n2.url(), g.text("device_id"));
        assertThat(gView.path("online").asBoolean()).isFalse();
        assertThat(gView.has("node")).isFalse();
        TestCloud.Answer offline = call(n1.url(), "GET", "/api/v1/admin/devices/" + g.text("device_id")
                + "/local/api/v1/device/facts", null);
        assertThat(offline.status()).isEqualTo(502);
        assertThat(offline.error()).isEqualTo("device_offline");
    }

    @Test
    @Order(5)
    void failedCodesAreCountedByEveryNodeTogether() throws Exception {
        String good = n1.createCode();
        // five wrong codes on each node: alone, neither reaches the limit of ten
        for (int i = 0; i < 10; i++) {
            TestCloud cloud = i % 2 == 0 ? n1 : n2;
            TestCloud.Answer a = cloud.register(String.format("PROV-%04d-%04d", i, i));
            assertThat(a.status()).as("attempt " + (i + 1) + ": " + a).isEqualTo(404);
        }
        for (TestCloud cloud : List.of(n1, n2)) {
            TestCloud.Answer locked = cloud.register(good);
            assertThat(locked.status()).as(locked.toString()).isEqualTo(429);
            assertThat(locked.error()).isEqualTo("rate_limited");
            assertThat(Long.parseLong(locked.raw().headers().firstValue("Retry-After").orElseThrow()))
                    .isBetween(1L, 900L);
        }
    }

    @Test
    @Order(6)
    void aDashboardSessionHoldsOnEveryNodeUntilItsSignOut() throws Exception {
        HttpResponse<String> signIn = page(n1, "POST", "/dashboard/sign-in", null,
                "token=" + java.net.URLEncoder.encode(adminToken, StandardCharsets.UTF_8));
        assertThat(signIn.statusCode()).isEqualTo(303);
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String value = cookie.substring(cookie.indexOf('=') + 1);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(),
                database.password()); java.sql.ResultSet r = c.createStatement().executeQuery(
                        "SELECT id_hash FROM dashboard_sessions")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).as("only the cookie's hash is stored")
                    .isEqualTo(io.edgeflow.cloud.credentials.Hashes.sha256(value)).doesNotContain(value);
        }

        HttpResponse<String> onB = page(n2, "GET", "/dashboard/devices/new", cookie, null);
        assertThat(onB.statusCode()).as("signed in on node 1, served by node 2").isEqualTo(200);
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                .matcher(onB.body());
        assertThat(csrf.find()).isTrue();
        // the CSRF token node 2 put in its page is the one node 1 expects of this session
        HttpResponse<String> change = page(n1, "POST", "/dashboard/devices/new", cookie,
                "ttl=1h&csrf=" + csrf.group(1));
        assertThat(change.statusCode()).as(change.body()).isEqualTo(200);
        assertThat(page(n1, "POST", "/dashboard/devices/new", cookie, "ttl=1h&csrf=" + csrf.group(1) + "x")
                .statusCode()).isEqualTo(403);

        assertThat(page(n2, "POST", "/dashboard/sign-out", cookie, "csrf=" + csrf.group(1)).statusCode())
                .isEqualTo(303);
        for (TestCloud node : List.of(n1, n2)) {
            HttpResponse<String> after = page(node, "GET", "/dashboard/devices", cookie, null);
            assertThat(after.statusCode()).as("signed out through node 2").isEqualTo(303);
            assertThat(after.headers().firstValue("Location")).contains("/dashboard/sign-in");
        }
    }

    private static HttpResponse<String> page(TestCloud node, String method, String path, String cookie, String form)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        b.method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
