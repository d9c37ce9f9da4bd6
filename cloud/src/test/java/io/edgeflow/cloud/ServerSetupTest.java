package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.tls.Pem;

/** First start: CA, server certificate, admin token, file modes; TLS versions; a second start reuses it all. */
class ServerSetupTest {
    @TempDir
    Path dir;

    @Test
    void firstStartCreatesACaAServerCertificateAndAnAdminTokenWithTightModes() throws Exception {
        Path data = dir.resolve("data");
        try (TestCloud cloud = new TestCloud(data)) {
            assertThat(FilePermissions.mode(data)).isEqualTo("rwx------");
            List<String> secrets = PostgresServer.selected()
                    ? List.of("admin-token", "ca-key.pem", "server-key.pem", "code-hash.key")
                    : List.of("admin-token", "ca-key.pem", "server-key.pem", "code-hash.key", "cloud.db");
            for (String secret : secrets) {
                assertThat(FilePermissions.mode(data.resolve(secret))).as(secret).isEqualTo("rw-------");
            }
            // the store is where the run puts it: SQLite in the data directory, or PostgreSQL and no file
            assertThat(Files.exists(data.resolve("cloud.db"))).as("cloud.db").isEqualTo(!PostgresServer.selected());
            assertThat(cloud.adminToken).matches("efa_[0-9a-z]{52}");
            String printed = cloud.startOutput();
            assertThat(printed).contains("Created a local CA: " + data.resolve("ca.pem").toAbsolutePath())
                    .contains("EDGEFLOW_SAAS_CA_FILE=")
                    .contains("Admin token written to " + data.resolve("admin-token").toAbsolutePath())
                    .doesNotContain(cloud.adminToken);

            X509Certificate ca = Pem.readCertificates(data.resolve("ca.pem")).get(0);
            X509Certificate leaf = Pem.readCertificates(data.resolve("server.pem")).get(0);
            assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
            leaf.verify(ca.getPublicKey());
            List<Object> names = new java.util.ArrayList<>();
            leaf.getSubjectAlternativeNames().forEach(n -> names.add(n.get(1)));
            assertThat(names).contains("localhost", "127.0.0.1");

            assertThat(cloud.server.protocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
            assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void tls12And13AreServedAndTheNameIsVerified() throws Exception {
        try (TestCloud cloud = new TestCloud(dir.resolve("data"))) {
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                SSLParameters params = new SSLParameters();
                params.setProtocols(new String[] {protocol});
                HttpClient client = HttpClient.newBuilder().sslContext(cloud.tls).sslParameters(params).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create(cloud.url() + "/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(protocol).isEqualTo(200);
                assertThat(r.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isEqualTo(protocol));
            }
            HttpResponse<String> byName = cloud.http.send(HttpRequest.newBuilder(URI.create(
                    "https://localhost:" + cloud.server.port() + "/api/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(byName.statusCode()).isEqualTo(200);

            // a client that does not trust the local CA is refused: no accidental trust-all
            HttpClient untrusting = HttpClient.newBuilder().sslContext(SSLContext.getDefault()).build();
            assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(URI.create(cloud.url() + "/api/v1/health"))
                    .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void plainHttpIsNotServed() throws Exception {
        try (TestCloud cloud = new TestCloud(dir.resolve("data"));
                Socket socket = new Socket("127.0.0.1", cloud.server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer;
            try {
                answer = in.readNBytes(64);
            } catch (IOException e) {
                answer = new byte[0];
            }
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("200").doesNotContain("status");
        }
    }

    @Test
    void aSecondStartReusesTheCaTheTokenAndTheData() throws Exception {
        Path data = dir.resolve("data");
        String token;
        String ca;
        String code;
        try (TestCloud first = new TestCloud(data)) {
            token = first.adminToken;
            ca = Files.readString(data.resolve("ca.pem"));
            code = first.createCode();
        }
        long tokenFileTime = Files.getLastModifiedTime(data.resolve("admin-token")).toMillis();
        try (TestCloud second = new TestCloud(data)) {
            assertThat(second.adminToken).isEqualTo(token);
            assertThat(Files.readString(data.resolve("ca.pem"))).isEqualTo(ca);
            assertThat(Files.getLastModifiedTime(data.resolve("admin-token")).toMillis()).isEqualTo(tokenFileTime);
            assertThat(second.startOutput()).contains("Local CA: ").doesNotContain("Created a local CA")
                    .doesNotContain("Admin token written");
            assertThat(second.register(code).status()).as("the code made before the restart").isEqualTo(201);
        }
    }

    @Test
    void aDataDirectoryOthersCanReadIsWarnedAboutAtStart() throws Exception {
        Path open = dir.resolve("open");
        Files.createDirectories(open);
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        try (LogCapture log = new LogCapture(); TestCloud cloud = new TestCloud(open)) {
            assertThat(log.linesWith("WARN")).anySatisfy(l -> assertThat(l).contains(open.toAbsolutePath().toString())
                    .contains("rwxr-x---").contains("chmod 700"));
            assertThat(log.hasStackTrace()).isFalse();
        }
        // left as the operator made it; a private one starts quietly
        assertThat(FilePermissions.mode(open)).isEqualTo("rwxr-x---");
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try (LogCapture log = new LogCapture(); TestCloud cloud = new TestCloud(open)) {
            assertThat(log.linesWith("chmod 700")).isEmpty();
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefused() throws Exception {
        Path data = dir.resolve("data");
        try (TestCloud first = new TestCloud(data)) {
            assertThatThrownBy(() -> new TestCloud(data)).hasMessageContaining("Another EdgeFlow cloud server")
                    .hasMessageContaining(data.toString());
            assertThat(first.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
        }
        try (TestCloud again = new TestCloud(data)) {
            assertThat(again.call("GET", "/api/v1/health", null, null).status()).as("the lock is released")
                    .isEqualTo(200);
        }
    }

    @Test
    void aNewAdminTokenRevokesTheOldOne() throws Exception {
        Path data = dir.resolve("data");
        String old;
        try (TestCloud first = new TestCloud(data)) {
            old = first.adminToken;
        }
        ServerConfig config = new ServerConfig("127.0.0.1", 0, data, null, null, CloudSettings.DEFAULTS, true);
        try (CloudServer server = CloudServer.start(config, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()))) {
            String fresh = Files.readString(data.resolve("admin-token")).trim();
            assertThat(fresh).isNotEqualTo(old);
            HttpClient client = HttpClient.newBuilder().sslContext(TestCloud.trusting(data.resolve("ca.pem"))).build();
            for (String[] t : new String[][] {{old, "401"}, {fresh, "200"}}) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/api/v1/admin/devices")).header("Authorization", "Bearer " + t[0]).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(Integer.parseInt(t[1]));
            }
        }
    }

    @Test
    void byDefaultTheServerAnswersOnBothLoopbackAddresses() throws Exception {
        // ::1 is configured here (ip -6 addr show lo); without it this test fails rather than skips
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            assertThat(probe.getLocalPort()).isPositive();
        }
        Path data = dir.resolve("data");
        ServerConfig config = new ServerConfig(ServerConfig.DEFAULT_BIND, 0, data, null, null, CloudSettings.DEFAULTS,
                false);
        int port;
        try (CloudServer server = CloudServer.start(config, Clock.systemUTC(),
                new PrintStream(OutputStream.nullOutputStream()))) {
            port = server.port();
            assertThat(server.urls()).containsExactly("https://127.0.0.1:" + port, "https://[::1]:" + port);
            HttpClient client = HttpClient.newBuilder().sslContext(TestCloud.trusting(data.resolve("ca.pem"))).build();
            for (String base : List.of("https://127.0.0.1:" + port, "https://[::1]:" + port, "https://localhost:" + port)) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(base).isEqualTo(200);
            }
        }
        // and the port is free again on both addresses
        for (String host : List.of("127.0.0.1", "::1")) {
            try (java.net.ServerSocket again = new java.net.ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(new java.net.InetSocketAddress(host, port));
            }
        }
    }

    @Test
    void anOperatorsOwnCertificateIsUsed() throws Exception {
        // a CA and certificate made elsewhere: here by a first server in another directory
        Path elsewhere = dir.resolve("elsewhere");
        new TestCloud(elsewhere).close();
        Path data = dir.resolve("data");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, data, elsewhere.resolve("server.pem"),
                elsewhere.resolve("server-key.pem"), CloudSettings.DEFAULTS, false);
        try (CloudServer server = CloudServer.start(config, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()))) {
            assertThat(server.caFile()).isNull();
            assertThat(data.resolve("ca.pem")).doesNotExist();
            HttpClient client = HttpClient.newBuilder().sslContext(TestCloud.trusting(elsewhere.resolve("ca.pem"))).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }
}
