package io.edgeflow.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;

import io.edgeflow.endpoint.internal.CloudAddress;
import io.edgeflow.endpoint.internal.CloudTrust;
import io.edgeflow.endpoint.internal.EndpointSettings;
import io.edgeflow.endpoint.internal.HttpCloudEndpoint;
import io.edgeflow.endpoint.internal.ProxySettings;
import io.edgeflow.endpoint.testing.TestConnectProxy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The cloud endpoint and the protocol client against a real HTTPS server on loopback: the trust (JDK + CA
 * file, host names always checked, a clock stuck in 1970), the error codes, the Date header's clock skew,
 * and proxies with and without Basic authentication.
 */
class CloudEndpointTest {
    private static final String CODE = "PROV-A1B2-C3D4";

    @TempDir
    Path dir;

    private TestPki pki;
    private Path caFile;
    private HttpsServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Answer answer = new Answer(201, "{\"device_id\": \"dev_test\", \"api_key\": \"efk_test_key_1234567890\","
            + " \"expires_at\": \"2027-11-28T16:03:16Z\", \"confirm_by\": \"2026-11-28T16:13:16Z\"}", Map.of());
    private HttpCloudEndpoint endpoint;

    record Answer(int status, String body, Map<String, String> headers) {
    }

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki("EdgeFlow test CA");
        caFile = pki.writeCa(dir.resolve("ca.pem"));
    }

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private int serve(SSLContext tls) throws IOException {
        return serve(tls, InetAddress.getLoopbackAddress());
    }

    private int serve(SSLContext tls, InetAddress address) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(address, 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", this::handle);
        server.start();
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                + (auth == null ? "" : " auth=" + auth));
        Answer a = answer;
        a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private HttpCloudEndpoint endpoint(String url, Path ca, ProxySettings proxy, Clock clock) throws Exception {
        EndpointSettings settings = new EndpointSettings(CloudAddress.parse(url), ca,
                ca == null ? List.of() : CloudTrust.readCaFile(ca), proxy, Duration.ofSeconds(5));
        endpoint = new HttpCloudEndpoint(settings, clock);
        return endpoint;
    }

    private CloudApi.Registration register(HttpCloudEndpoint e, AtomicLong skew) throws CloudCallException {
        return new HttpCloudApi(e, Duration.ofSeconds(5), Clock.systemUTC(), skew::set).register(
                ProvisioningCode.parse(CODE).orElseThrow(), "3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c",
                Map.of("board_model", "Raspberry Pi 4 Model B Rev 1.4"), Map.of("hostname", "edgeflow-pi-001"));
    }

    @Test
    void registersOverTlsTrustingTheCaFileAndReadsTheClockSkew() throws Exception {
        int port = serve(pki.server("127.0.0.1", "localhost"));
        AtomicLong skew = new AtomicLong(Long.MIN_VALUE);
        // the device's clock two hours behind the cloud's (the server sends its own Date header)
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-2));
        CloudApi.Registration registration = new HttpCloudApi(endpoint("127.0.0.1:" + port, caFile, null,
                Clock.systemUTC()), Duration.ofSeconds(5), behind, skew::set).register(
                        ProvisioningCode.parse(CODE).orElseThrow(), "3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c",
                        Map.of("board_model", "Raspberry Pi 4 Model B Rev 1.4"), Map.of("hostname", "edgeflow-pi-001"));

        assertThat(registration.deviceId()).isEqualTo("dev_test");
        assertThat(new String(registration.apiKey())).isEqualTo("efk_test_key_1234567890");
        assertThat(registration.expiresAt()).isEqualTo(Instant.parse("2027-11-28T16:03:16Z"));
        assertThat(registration.toString()).doesNotContain("test_key");
        assertThat(skew.get()).isBetween(7195L, 7205L);
        assertThat(requests).singleElement().asString().startsWith("POST /api/v1/devices/register {")
                .contains("\"provisioning_code\":\"PROV-A1B2-C3D4\"")
                .contains("\"request_id\":\"3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c\"")
                .contains("\"hardware\":{\"board_model\":\"Raspberry Pi 4 Model B Rev 1.4\"}")
                .contains("\"network\":{\"hostname\":\"edgeflow-pi-001\"}");
    }

    @Test
    void confirmsWithTheKeyAsBearerToken() throws Exception {
        int port = serve(pki.server("localhost"));
        answer = new Answer(200, "{\"device_id\": \"dev_test\", \"status\": \"active\", \"expires_at\": "
                + "\"2027-11-28T16:03:16Z\"}", Map.of());
        CloudApi.Confirmation confirmation = new HttpCloudApi(endpoint("https://localhost:" + port, caFile, null,
                Clock.systemUTC()), Duration.ofSeconds(5), Clock.systemUTC(), s -> { })
                .confirm("dev_test", "efk_test_key_1234567890".toCharArray(), Map.of(), Map.of());
        assertThat(confirmation.status()).isEqualTo("active");
        assertThat(confirmation.expiresAt()).isEqualTo(Instant.parse("2027-11-28T16:03:16Z"));
        assertThat(requests).singleElement().asString()
                .isEqualTo("POST /api/v1/devices/dev_test/confirm {} auth=Bearer efk_test_key_1234567890");
    }

    @Test
    void aConfirmationReportsTheFactsItIsGiven() throws Exception {
        int port = serve(pki.server("localhost"));
        answer = new Answer(200, "{\"device_id\": \"dev_test\", \"status\": \"active\"}", Map.of());
        new HttpCloudApi(endpoint("https://localhost:" + port, caFile, null, Clock.systemUTC()), Duration.ofSeconds(5),
                Clock.systemUTC(), s -> { }).confirm("dev_test", "efk_test_key_1234567890".toCharArray(),
                        Map.of("board_model", "Raspberry Pi 4 Model B Rev 1.4"), Map.of("hostname", "edgeflow-pi-001"));
        assertThat(requests).singleElement().asString().isEqualTo("POST /api/v1/devices/dev_test/confirm "
                + "{\"hardware\":{\"board_model\":\"Raspberry Pi 4 Model B Rev 1.4\"},"
                + "\"network\":{\"hostname\":\"edgeflow-pi-001\"}} auth=Bearer efk_test_key_1234567890");
    }

    @Test
    void withoutTheCaFileTheCloudIsNotTrusted() throws Exception {
        int port = serve(pki.server("127.0.0.1"));
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, null, null, Clock.systemUTC()), new AtomicLong()))
                .isInstanceOfSatisfying(CloudCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("tls_error");
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.getMessage()).contains("CA file");
                });
        assertThat(requests).isEmpty();
    }

    @Test
    void aCertificateForAnotherHostIsRefusedEvenFromTheTrustedCa() throws Exception {
        int port = serve(pki.server("cloud.example.test"));
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, null, Clock.systemUTC()), new AtomicLong()))
                .isInstanceOfSatisfying(CloudCallException.class, e -> assertThat(e.code()).isEqualTo("tls_error"));
        assertThat(requests).isEmpty();
    }

    @Test
    void aDeviceWhoseClockSaysNineteenSeventyStillConnects() throws Exception {
        // a certificate that, by the real clock, is valid only from tomorrow: stands for "valid from now" on a
        // device whose clock is far behind
        int port = serve(pki.server(Instant.now().plus(Duration.ofDays(1)), "127.0.0.1"));
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, null, Clock.systemUTC()), new AtomicLong()))
                .as("a clock that may be right checks validity as usual")
                .isInstanceOfSatisfying(CloudCallException.class, e -> assertThat(e.code()).isEqualTo("tls_error"));
        endpoint.close();

        Clock nineteenSeventy = Clock.fixed(Instant.EPOCH.plusSeconds(30), ZoneOffset.UTC);
        assertThat(register(endpoint("127.0.0.1:" + port, caFile, null, nineteenSeventy), new AtomicLong()).deviceId())
                .isEqualTo("dev_test");
    }

    @Test
    void aCertificateNotValidYetByTheDevicesClockNamesTheClockAndHowFarBehindItIs() throws Exception {
        // a cloud whose certificate starts now, a device clock 2 hours behind (after 2026: validity is checked)
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        int port = serve(pki.server(start, "127.0.0.1"));
        Clock behind = Clock.fixed(start.minus(Duration.ofHours(2)), ZoneOffset.UTC);
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, null, behind), new AtomicLong()))
                .isInstanceOfSatisfying(CloudCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("tls_error");
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.getMessage()).contains("not valid yet by this device's clock")
                            .contains("valid from " + start).contains("at least 2 h behind")
                            .contains("set the device's clock").doesNotContain("CA file");
                });
        assertThat(requests).isEmpty();
    }

    @Test
    void aCertificateExpiredByTheDevicesClockNamesTheClock() throws Exception {
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(Duration.ofHours(1));
        int port = serve(pki.server(start, "127.0.0.1")); // valid for 365 days
        Clock ahead = Clock.fixed(start.plus(Duration.ofDays(368)), ZoneOffset.UTC);
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, null, ahead), new AtomicLong()))
                .isInstanceOfSatisfying(CloudCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("tls_error");
                    assertThat(e.getMessage()).contains("has expired by this device's clock")
                            .contains("valid until " + start.plus(Duration.ofDays(365))).contains("3 d later")
                            .contains("if the device's clock is ahead").doesNotContain("CA file");
                });
        assertThat(requests).isEmpty();
    }

    @Test
    void aCertificateFromAnUnknownCaOutsideItsValidityIsNotBlamedOnTheClock() throws Exception {
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        int port = serve(new TestPki("Another CA").server(start, "127.0.0.1"));
        Clock behind = Clock.fixed(start.minus(Duration.ofHours(2)), ZoneOffset.UTC);
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, null, behind), new AtomicLong()))
                .isInstanceOfSatisfying(CloudCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("tls_error");
                    assertThat(e.getMessage()).contains("CA file").doesNotContain("device's clock");
                });
    }

    @Test
    void aWrongCertificateIsRefusedEvenWithTheClockInNineteenSeventy() throws Exception {
        int port = serve(new TestPki("Another CA").server("127.0.0.1"));
        Clock nineteenSeventy = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, null, nineteenSeventy), new AtomicLong()))
                .isInstanceOfSatisfying(CloudCallException.class, e -> assertThat(e.code()).isEqualTo("tls_error"));
        endpoint.close();
        int other = serve(pki.server("cloud.example.test"));
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + other, caFile, null, nineteenSeventy), new AtomicLong()))
                .as("host names are checked at any clock")
                .isInstanceOfSatisfying(CloudCallException.class, e -> assertThat(e.code()).isEqualTo("tls_error"));
    }

    @Test
    void theCloudsErrorsArePermanentOrTransientAsTheProtocolSays() throws Exception {
        int port = serve(pki.server("127.0.0.1"));
        HttpCloudEndpoint e = endpoint("127.0.0.1:" + port, caFile, null, Clock.systemUTC());
        Map<Answer, String[]> cases = new HashMap<>();
        cases.put(new Answer(410, "{\"error\": \"code_expired\", \"message\": \"This provisioning code expired.\"}",
                Map.of()), new String[] {"code_expired", "permanent"});
        cases.put(new Answer(410, "{\"error\": \"code_consumed\", \"message\": \"used\"}", Map.of()),
                new String[] {"code_consumed", "permanent"});
        cases.put(new Answer(404, "{\"error\": \"code_invalid\", \"message\": \"No such code.\"}", Map.of()),
                new String[] {"code_invalid", "permanent"});
        cases.put(new Answer(409, "{\"error\": \"code_in_use\", \"message\": \"held\"}", Map.of()),
                new String[] {"code_in_use", "transient"});
        cases.put(new Answer(429, "{\"error\": \"rate_limited\", \"message\": \"wait\"}", Map.of("Retry-After", "7")),
                new String[] {"rate_limited", "transient"});
        cases.put(new Answer(503, "", Map.of()), new String[] {"cloud_error", "transient"});
        cases.put(new Answer(500, "{\"error\": \"internal_error\", \"message\": \"oops\"}", Map.of()),
                new String[] {"internal_error", "transient"});
        cases.put(new Answer(401, "{\"error\": \"invalid_credentials\", \"message\": \"no\"}", Map.of()),
                new String[] {"invalid_credentials", "permanent"});
        cases.put(new Answer(400, "{\"error\": \"invalid_request\", \"message\": \"Field 'request_id': x\"}", Map.of()),
                new String[] {"invalid_request", "permanent"});
        cases.put(new Answer(404, "<html>not here</html>", Map.of()), new String[] {"cloud_protocol_error", "permanent"});
        cases.put(new Answer(201, "{\"device_id\": \"dev_x\"}", Map.of()), new String[] {"cloud_protocol_error",
                "transient"});
        for (Map.Entry<Answer, String[]> c : cases.entrySet()) {
            answer = c.getKey();
            assertThatThrownBy(() -> register(e, new AtomicLong())).as(c.getKey().toString())
                    .isInstanceOfSatisfying(CloudCallException.class, x -> {
                        assertThat(x.code()).isEqualTo(c.getValue()[0]);
                        assertThat(x.permanent()).isEqualTo(c.getValue()[1].equals("permanent"));
                    });
        }
        answer = new Answer(429, "{\"error\": \"rate_limited\", \"message\": \"wait\"}", Map.of("Retry-After", "7"));
        assertThatThrownBy(() -> register(e, new AtomicLong())).isInstanceOfSatisfying(CloudCallException.class,
                x -> assertThat(x.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void nothingListeningIsUnreachableAndTransient() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, null, Clock.systemUTC()), new AtomicLong()))
                .isInstanceOfSatisfying(CloudCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("cloud_unreachable");
                    assertThat(e.permanent()).isFalse();
                });
    }

    @Test
    void throughAProxyWithoutAuthentication() throws Exception {
        int port = serve(pki.server("127.0.0.1"));
        try (TestConnectProxy proxy = new TestConnectProxy(null)) {
            ProxySettings settings = ProxySettings.parse("127.0.0.1:" + proxy.port(), null, "test");
            assertThat(register(endpoint("127.0.0.1:" + port, caFile, settings, Clock.systemUTC()), new AtomicLong())
                    .deviceId()).isEqualTo("dev_test");
            assertThat(proxy.heads).singleElement().asString().startsWith("CONNECT 127.0.0.1:" + port + " HTTP/1.1");
        }
    }

    @Test
    void throughAProxyWithBasicAuthentication() throws Exception {
        int port = serve(pki.server("127.0.0.1"));
        String expected = "Basic " + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8));
        try (TestConnectProxy proxy = new TestConnectProxy(expected)) {
            ProxySettings settings = ProxySettings.parse("http://gateway:s3cret@127.0.0.1:" + proxy.port(), null, "test");
            assertThat(register(endpoint("127.0.0.1:" + port, caFile, settings, Clock.systemUTC()), new AtomicLong())
                    .deviceId()).isEqualTo("dev_test");
            assertThat(proxy.heads).singleElement().asString().startsWith("CONNECT 127.0.0.1:" + port + " HTTP/1.1")
                    .contains("Proxy-Authorization: " + expected);
            endpoint.close();

            ProxySettings wrong = ProxySettings.parse("http://gateway:wrong@127.0.0.1:" + proxy.port(), null, "test");
            assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, wrong, Clock.systemUTC()),
                    new AtomicLong())).isInstanceOfSatisfying(CloudCallException.class, e -> {
                        assertThat(e.code()).isEqualTo("proxy_error");
                        assertThat(e.permanent()).isFalse();
                        assertThat(e.getMessage()).contains("407").contains("check the proxy user and password")
                                .doesNotContain("wrong");
                    });
        }
    }

    @Test
    void aProxyThatAnswers401ToWrongCredentialsGetsTheSameHintAsA407() throws Exception {
        int port = serve(pki.server("127.0.0.1"));
        String expected = "Basic " + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8));
        try (TestConnectProxy proxy = new TestConnectProxy(expected, 401)) {
            for (String url : List.of("http://gateway:wrong@127.0.0.1:" + proxy.port(), "127.0.0.1:" + proxy.port())) {
                // with a user: through the relay; without: the JDK's own CONNECT
                ProxySettings wrong = ProxySettings.parse(url, null, "test");
                assertThatThrownBy(() -> register(endpoint("127.0.0.1:" + port, caFile, wrong, Clock.systemUTC()),
                        new AtomicLong())).as(url).isInstanceOfSatisfying(CloudCallException.class, e -> {
                            assertThat(e.code()).isEqualTo("proxy_error");
                            assertThat(e.permanent()).isFalse();
                            assertThat(e.getMessage()).contains("401").contains("check the proxy user and password")
                                    .doesNotContain("wrong");
                        });
                endpoint.close();
            }
            assertThat(proxy.heads).hasSize(2);
        }
        assertThat(requests).isEmpty();
    }

    /** ::1 is configured on this machine's loopback (ip -6 addr show lo): a test that needs it fails without it. */
    private static InetAddress ipv6Loopback() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, v6)) {
            return v6;
        } catch (IOException e) {
            throw new AssertionError("::1 is not configured on this machine (ip -6 addr show lo): " + e.getMessage(), e);
        }
    }

    @Test
    void anIpv6CloudAddressThroughAProxy() throws Exception {
        int port = serve(pki.server("::1"), ipv6Loopback());
        String expected = "Basic " + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8));
        for (String proxyUrl : List.of("127.0.0.1:%d", "http://gateway:s3cret@127.0.0.1:%d")) {
            try (TestConnectProxy proxy = new TestConnectProxy(proxyUrl.contains("@") ? expected : null)) {
                ProxySettings settings = ProxySettings.parse(String.format(proxyUrl, proxy.port()), null, "test");
                assertThat(register(endpoint("[::1]:" + port, caFile, settings, Clock.systemUTC()), new AtomicLong())
                        .deviceId()).as(proxyUrl).isEqualTo("dev_test");
                assertThat(proxy.heads).singleElement().asString().startsWith("CONNECT [::1]:" + port + " HTTP/1.1");
                // the tunnel's WebSocket takes the same way: this test server refuses the upgrade, so reaching it
                // is the proof
                java.util.concurrent.CompletableFuture<java.net.http.WebSocket> ws = endpoint.httpClient()
                        .newWebSocketBuilder().buildAsync(endpoint.webSocketUri("/api/v1/tunnel"),
                                new java.net.http.WebSocket.Listener() { });
                assertThatThrownBy(() -> ws.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class);
                assertThat(endpoint.displayUrl()).isEqualTo("[::1]:" + port);
                endpoint.close();
            }
        }
        assertThat(requests).hasSize(4).filteredOn(r -> r.startsWith("GET /api/v1/tunnel")).hasSize(2);
    }

    @Test
    void anIpv6CloudThroughAProxyIsStillCheckedForItsAddressAndTheProxysRefusalIsExplained() throws Exception {
        // a certificate from the trusted CA, but for 127.0.0.1 (the relay's address), not for ::1
        int port = serve(pki.server("127.0.0.1", "localhost"), ipv6Loopback());
        try (TestConnectProxy proxy = new TestConnectProxy(null)) {
            ProxySettings settings = ProxySettings.parse("127.0.0.1:" + proxy.port(), null, "test");
            assertThatThrownBy(() -> register(endpoint("[::1]:" + port, caFile, settings, Clock.systemUTC()),
                    new AtomicLong())).isInstanceOfSatisfying(CloudCallException.class, e -> {
                        assertThat(e.code()).isEqualTo("tls_error");
                        assertThat(e.getMessage()).contains("does not name the address 0:0:0:0:0:0:0:1");
                    });
            endpoint.close();
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8));
        try (TestConnectProxy proxy = new TestConnectProxy(expected, 401)) {
            ProxySettings wrong = ProxySettings.parse("http://gateway:wrong@127.0.0.1:" + proxy.port(), null, "test");
            assertThatThrownBy(() -> register(endpoint("[::1]:" + port, caFile, wrong, Clock.systemUTC()),
                    new AtomicLong())).isInstanceOfSatisfying(CloudCallException.class, e -> {
                        assertThat(e.code()).isEqualTo("proxy_error");
                        assertThat(e.getMessage()).contains("[::1]:" + port).contains("401")
                                .contains("check the proxy user and password");
                    });
        }
        assertThat(requests).isEmpty();
    }

    @Test
    void closingTheEndpointEndsItsThreads() throws Exception {
        int port = serve(pki.server("127.0.0.1"));
        try (TestConnectProxy proxy = new TestConnectProxy(null)) {
            ProxySettings settings = ProxySettings.parse("http://u:p@127.0.0.1:" + proxy.port(), null, "test");
            register(endpoint("127.0.0.1:" + port, caFile, settings, Clock.systemUTC()), new AtomicLong());
            assertThat(threads()).isNotEmpty();
            endpoint.close();
            endpoint = null;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!threads().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(threads()).isEmpty();
        }
    }

    private static List<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("edgeflow-cloud-") || n.startsWith("edgeflow-proxy-relay")).toList();
    }
}
