package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.nodes.NodeCluster;
import io.edgeflow.cloud.nodes.NodeSettings;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.tls.LocalCertificateAuthority;
import io.edgeflow.cloud.tls.Pem;
import io.edgeflow.cloud.tunnel.LocalRequest;
import io.edgeflow.cloud.tunnel.LocalResponse;
import io.edgeflow.cloud.tunnel.Presence;
import io.edgeflow.cloud.tunnel.TunnelException;
import io.edgeflow.cloud.tunnel.TunnelHub;
import io.edgeflow.cloud.tunnel.TunnelSettings;

/**
 * The calls between nodes, both ends: node B is a real server started as a node; node A is its
 * {@link NodeCluster} on a store of its own where the test writes that the device's tunnel is on B (as B would on
 * a shared store). A's requests for the device, and its revocation, reach the device through B; a caller without
 * the node secret, or a node that does not serve the cloud's certificate, gets nothing.
 */
class NodeCallsTest {
    @TempDir
    static Path dir;
    static String secret;
    static TestCloud b;
    static X509Certificate served;

    @BeforeAll
    static void start() throws Exception {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        secret = HexFormat.of().formatHex(random);
        Path data = dir.resolve("b");
        java.nio.file.Files.createDirectories(dir.resolve("shared-ca"));
        LocalCertificateAuthority.Result ca = LocalCertificateAuthority.ensure(dir.resolve("shared-ca"),
                Clock.systemUTC());
        ServerConfig config = new ServerConfig("127.0.0.1", 0, data, ca.serverChain(), ca.serverKey(),
                io.edgeflow.cloud.provisioning.CloudSettings.DEFAULTS, false);
        b = new TestCloud(config, new NodeSettings("node-b", URI.create("https://127.0.0.1:1"), secret));
        served = Pem.readCertificates(ca.serverChain()).get(0);
    }

    @AfterAll
    static void stop() {
        b.close();
    }

    private static HttpResponse<String> nodeCall(String method, String path, String secretHeader, String body)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(b.url() + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (secretHeader != null) {
            r.header(NodeSettings.SECRET_HEADER, secretHeader);
        }
        return b.http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Database store(Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        return Database.open(dir);
    }

    /** Node A: a store of its own that says the device's tunnel is on B, and A's side of the calls. */
    private record NodeA(Database db, TunnelHub hub, NodeCluster cluster) implements AutoCloseable {
        static NodeA start(Path dir, X509Certificate pinned, String deviceOnB) throws Exception {
            Database db = store(dir);
            TunnelHub hub = new TunnelHub(TunnelSettings.DEFAULTS, Clock.systemUTC());
            byte[] codeKey = new byte[32];
            NodeCluster cluster = NodeCluster.join(db, new NodeSettings("node-a", URI.create("https://127.0.0.1:2"),
                    secret), hub, Clock.systemUTC(), pinned, codeKey);
            long now = System.currentTimeMillis();
            db.transaction(tx -> {
                tx.nodes().heartbeat("node-b", b.url(), now);
                tx.nodes().opened(deviceOnB, "node-b", now, null, "192.0.2.1");
                return null;
            });
            return new NodeA(db, hub, cluster);
        }

        @Override
        public void close() {
            cluster.close();
            db.close();
        }
    }

    @Test
    void nodeCallsNeedTheSharedSecret() throws Exception {
        String body = "{\"device_id\": \"dev_x\"}";
        HttpResponse<String> none = nodeCall("POST", "/api/v1/nodes/revoke", null, body);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("invalid_credentials").doesNotContain(secret);
        assertThat(nodeCall("POST", "/api/v1/nodes/revoke", secret + "x", body).statusCode()).isEqualTo(401);
        assertThat(nodeCall("POST", "/api/v1/nodes/revoke", secret.substring(1), body).statusCode()).isEqualTo(401);
        assertThat(nodeCall("GET", "/api/v1/nodes/revoke", secret, null).statusCode()).isEqualTo(405);
        assertThat(nodeCall("POST", "/api/v1/nodes/other", secret, body).statusCode()).isEqualTo(404);
        HttpResponse<String> bad = nodeCall("POST", "/api/v1/nodes/forward", secret, "{\"device_id\": 3}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("device_id");
        assertThat(nodeCall("POST", "/api/v1/nodes/revoke", secret, body).statusCode()).isEqualTo(200);
        assertThat(b.startOutput.toString(StandardCharsets.UTF_8)).contains("Node node-b").doesNotContain(secret);
    }

    @Test
    void aCloudOfOneNodeHasNoNodeCalls() throws Exception {
        try (TestCloud single = new TestCloud(dir.resolve("single"))) {
            Answer a = single.call("POST", "/api/v1/nodes/revoke", "{\"device_id\": \"dev_x\"}", null);
            assertThat(a.status()).isEqualTo(404);
        }
    }

    @Test
    void aRequestForADeviceOnAnotherNodeIsCarriedThereAndAnswered() throws Exception {
        Answer d = b.provisionDevice();
        String id = d.text("device_id");
        try (SimulatedDevice device = SimulatedDevice.connect(b, id, d.text("api_key"));
                NodeA a = NodeA.start(dir.resolve("a1"), served, id)) {
            device.next("hello");
            Presence p = a.hub().presence(id);
            assertThat(p.online()).as("online on B, as A reads the store").isTrue();
            assertThat(p.remoteAddress()).isEqualTo("192.0.2.1");
            CompletableFuture<LocalResponse> answer = a.hub().forward(id, new LocalRequest("POST",
                    "/api/v1/things?x=1", Map.of("content-type", "application/json"), "{\"a\": 1}".getBytes()));
            JsonNode request = device.next("request");
            assertThat(request.path("method").asText()).isEqualTo("POST");
            assertThat(request.path("path").asText()).isEqualTo("/api/v1/things?x=1");
            assertThat(new String(Base64.getDecoder().decode(request.path("body").asText()))).isEqualTo("{\"a\": 1}");
            device.send("{\"type\": \"response\", \"id\": \"" + request.path("id").asText() + "\", \"status\": 201,"
                    + " \"headers\": {\"content-type\": \"text/plain\"}, \"body\": \""
                    + Base64.getEncoder().encodeToString("made".getBytes()) + "\"}");
            LocalResponse r = answer.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.headers()).containsEntry("content-type", "text/plain");
            assertThat(new String(r.body())).isEqualTo("made");

            // the device's tunnel closes on B: A's request is answered 502 device_offline by B
            device.ws.abort();
            Eventually.until("the tunnel closed on B", Duration.ofSeconds(10),
                    () -> !b.server.tunnels().presence(id).online());
            assertThatThrownBy(() -> a.hub().forward(id, new LocalRequest("GET", "/api/v1/x", Map.of(),
                    new byte[0])).get(10, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("device_offline"));
        }
    }

    @Test
    void aRevocationOnOneNodeClosesTheTunnelOnTheOther() throws Exception {
        Answer d = b.provisionDevice();
        String id = d.text("device_id");
        try (SimulatedDevice device = SimulatedDevice.connect(b, id, d.text("api_key"));
                NodeA a = NodeA.start(dir.resolve("a2"), served, id)) {
            device.next("hello");
            a.hub().revoke(id);
            assertThat(device.closed.get(10, TimeUnit.SECONDS)).startsWith("4401");
        }
        // B keeps it revoked: a tunnel opened with a key checked before the revocation is closed too
        try (SimulatedDevice again = SimulatedDevice.connect(b, id, d.text("api_key"))) {
            assertThat(again.closed.get(10, TimeUnit.SECONDS)).startsWith("4401");
        }
    }

    @Test
    void aNodeThatDoesNotServeTheCloudsCertificateIsNotSentTheSecret() throws Exception {
        Answer d = b.provisionDevice();
        String id = d.text("device_id");
        X509Certificate other = Pem.readCertificates(dir.resolve("shared-ca").resolve("ca.pem")).get(0);
        try (SimulatedDevice device = SimulatedDevice.connect(b, id, d.text("api_key"));
                NodeA a = NodeA.start(dir.resolve("a3"), other, id)) {
            device.next("hello");
            assertThatThrownBy(() -> a.hub().forward(id, new LocalRequest("GET", "/api/v1/x", Map.of(),
                    new byte[0])).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(TunnelException.class, e -> {
                        assertThat(e.status()).isEqualTo(502);
                        assertThat(e.code()).isEqualTo("node_unreachable");
                    });
            assertThat(device.frames).as("no request reached the device").isEmpty();
        }
    }

    @Test
    void serveRefusesAnIncompleteNode() throws Exception {
        String data = dir.resolve("cli").toString();
        String db = "postgresql://u:p@127.0.0.1:1/edgeflow";
        String cert = dir.resolve("shared-ca").resolve("server.pem").toString();
        String key = dir.resolve("shared-ca").resolve("server-key.pem").toString();
        CliTest.Run sqlite = CliTest.cli(Map.of(), "serve", "--data-dir", data, "--node-url", "https://127.0.0.1:9");
        assertThat(sqlite.status()).isEqualTo(io.edgeflow.cloud.cli.Cli.USAGE);
        assertThat(sqlite.err()).contains("--node-url needs --database");
        CliTest.Run noCert = CliTest.cli(Map.of(), "serve", "--data-dir", data, "--database", db, "--node-url",
                "https://127.0.0.1:9");
        assertThat(noCert.err()).contains("--node-url needs --cert and --key");
        CliTest.Run noSecret = CliTest.cli(Map.of(), "serve", "--data-dir", data, "--database", db, "--cert", cert,
                "--key", key, "--node-url", "https://127.0.0.1:9");
        assertThat(noSecret.err()).contains("--node-secret-file FILE or EDGEFLOW_CLOUD_NODE_SECRET");
        CliTest.Run shortSecret = CliTest.cli(Map.of("EDGEFLOW_CLOUD_NODE_SECRET", "tooshort-x1"), "serve",
                "--data-dir", data, "--database", db, "--cert", cert, "--key", key, "--node-url",
                "https://127.0.0.1:9");
        assertThat(shortSecret.status()).isEqualTo(io.edgeflow.cloud.cli.Cli.USAGE);
        assertThat(shortSecret.err()).contains("at least 32 characters").doesNotContain("tooshort-x1");
        CliTest.Run badUrl = CliTest.cli(Map.of("EDGEFLOW_CLOUD_NODE_SECRET", secret), "serve", "--data-dir", data,
                "--database", db, "--cert", cert, "--key", key, "--node-url", "http://127.0.0.1:9");
        assertThat(badUrl.err()).contains("--node-url must be https://host:port").doesNotContain(secret);
        CliTest.Run idAlone = CliTest.cli(Map.of(), "serve", "--data-dir", data, "--node-id", "n1");
        assertThat(idAlone.err()).contains("--node-id and --node-secret-file go with --node-url");
    }

    @Test
    void aNodeWithAnotherCodeKeyIsRefused() throws Exception {
        try (Database db = store(dir.resolve("keys"))) {
            TunnelHub hub = new TunnelHub(TunnelSettings.DEFAULTS, Clock.systemUTC());
            NodeSettings one = new NodeSettings("one", URI.create("https://127.0.0.1:3"), secret);
            NodeCluster.join(db, one, hub, Clock.systemUTC(), served, new byte[32]).close();
            byte[] otherKey = new byte[32];
            otherKey[0] = 1;
            NodeSettings two = new NodeSettings("two", URI.create("https://127.0.0.1:4"), secret);
            assertThatThrownBy(() -> NodeCluster.join(db, two, hub, Clock.systemUTC(), served, otherKey))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("code-hash-key");
        }
    }
}
