package io.edgeflow.cloud;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ConnectionLimits;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.store.DatabaseUrl;
import io.edgeflow.cloud.tls.Pem;
import io.edgeflow.cloud.tunnel.TunnelSettings;
import io.edgeflow.cloud.updates.UpdateSettings;

/**
 * A real cloud server for a test: HTTPS on 127.0.0.1 and a free port, its own data directory, a clock
 * the test moves. Requests go through the JDK's HTTP client, verifying the certificate and host name
 * against the server's own {@code ca.pem}, as an agent would.
 */
public final class TestCloud implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** 2026-03-01T00:00:00Z: far from "now", so nothing works by accident of the real clock. */
    public static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

    public final MutableClock clock = new MutableClock(START);
    public final Path dataDir;
    public final CloudServer server;
    public final String adminToken;
    public final SSLContext tls;
    public final HttpClient http;
    public final ByteArrayOutputStream startOutput = new ByteArrayOutputStream();

    public TestCloud(Path dataDir) throws Exception {
        this(dataDir, CloudSettings.DEFAULTS);
    }

    public TestCloud(Path dataDir, CloudSettings settings) throws Exception {
        this(dataDir, settings, TunnelSettings.DEFAULTS);
    }

    public TestCloud(Path dataDir, CloudSettings settings, TunnelSettings tunnel) throws Exception {
        this(dataDir, settings, tunnel, ConnectionLimits.DEFAULTS);
    }

    public TestCloud(Path dataDir, ConnectionLimits limits) throws Exception {
        this(dataDir, CloudSettings.DEFAULTS, TunnelSettings.DEFAULTS, limits);
    }

    public TestCloud(Path dataDir, CloudSettings settings, TunnelSettings tunnel, ConnectionLimits limits)
            throws Exception {
        this(dataDir, settings, tunnel, limits, UpdateSettings.DEFAULTS);
    }

    public TestCloud(Path dataDir, UpdateSettings updates) throws Exception {
        this(dataDir, CloudSettings.DEFAULTS, TunnelSettings.DEFAULTS, ConnectionLimits.DEFAULTS, updates);
    }

    public TestCloud(Path dataDir, CloudSettings settings, TunnelSettings tunnel, ConnectionLimits limits,
            UpdateSettings updates) throws Exception {
        this(dataDir, settings, tunnel, limits, updates, PostgresServer.forTestCloud(dataDir));
    }

    /** A cloud on the given store, whatever this run's engine: one of several nodes on one PostgreSQL. */
    public TestCloud(Path dataDir, DatabaseUrl database) throws Exception {
        this(dataDir, CloudSettings.DEFAULTS, TunnelSettings.DEFAULTS, ConnectionLimits.DEFAULTS,
                UpdateSettings.DEFAULTS, database);
    }

    private TestCloud(Path dataDir, CloudSettings settings, TunnelSettings tunnel, ConnectionLimits limits,
            UpdateSettings updates, DatabaseUrl database) throws Exception {
        this.dataDir = dataDir;
        this.server = CloudServer.start(ServerConfig.ephemeral(dataDir).withSettings(settings).withTunnel(tunnel)
                .withLimits(limits).withUpdates(updates).withDatabase(database), clock,
                new PrintStream(startOutput, true, StandardCharsets.UTF_8));
        this.adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
        this.tls = trusting(dataDir.resolve("ca.pem"));
        this.http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A cloud started as one node of several (its store and certificate as {@code config} says). */
    public TestCloud(ServerConfig config, io.edgeflow.cloud.nodes.NodeSettings node) throws Exception {
        this(config, node, null);
    }

    /** As above, on a clock of its own ({@code null}: {@link #clock}); nodes of one cloud share real time. */
    public TestCloud(ServerConfig config, io.edgeflow.cloud.nodes.NodeSettings node, java.time.Clock nodeClock)
            throws Exception {
        this.dataDir = config.dataDir();
        this.server = CloudServer.start(config, node, nodeClock != null ? nodeClock : clock, new PrintStream(startOutput, true,
                StandardCharsets.UTF_8));
        this.adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
        this.tls = trusting(config.certificate() != null ? config.certificate() : dataDir.resolve("ca.pem"));
        this.http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public static SSLContext trusting(Path caFile) throws Exception {
        List<X509Certificate> certificates = Pem.readCertificates(caFile);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificates.get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    public String url() {
        return server.url();
    }

    /** An HTTP answer. */
    public record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        public String error() {
            return body.path("error").asText(null);
        }

        public String text(String field) {
            return body.path(field).asText(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Answer call(String method, String path, Object body, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] bytes = body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Answer(response.statusCode(), json, response);
    }

    /** Uploads a jar as an artifact (POST /api/v1/admin/artifacts). */
    public Answer upload(byte[] jar) throws IOException, InterruptedException {
        return upload(jar, "application/java-archive");
    }

    public Answer upload(byte[] jar, String contentType) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + "/api/v1/admin/artifacts"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.ofByteArray(jar));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Answer(response.statusCode(), json, response);
    }

    /** Uploads a jar and signs it with a key; returns its SHA-256. */
    public String uploadSigned(byte[] jar, java.security.KeyPair key) throws Exception {
        Answer a = upload(jar);
        if (a.status() != 201 && a.status() != 200) {
            throw new AssertionError("uploading: " + a);
        }
        String sha = a.text("sha256");
        Answer s = admin("POST", "/api/v1/admin/artifacts/" + sha + "/signatures", Map.of("public_key",
                Bundles.publicKey(key), "signature", Bundles.sign(key, sha)));
        if (s.status() != 201 && s.status() != 200) {
            throw new AssertionError("signing: " + s);
        }
        return sha;
    }

    public Answer admin(String method, String path, Object body) throws IOException, InterruptedException {
        return call(method, path, body, adminToken);
    }

    /** Creates a code through the admin API and returns the full code. */
    public String createCode(Long ttlSeconds, String label) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (ttlSeconds != null) {
            body.put("ttl_seconds", ttlSeconds);
        }
        if (label != null) {
            body.put("label", label);
        }
        Answer a = admin("POST", "/api/v1/admin/provisioning-codes", body);
        if (a.status() != 201) {
            throw new AssertionError("creating a code: " + a);
        }
        return a.text("code");
    }

    public String createCode() throws IOException, InterruptedException {
        return createCode(null, null);
    }

    public static Map<String, Object> registration(String code, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provisioning_code", code);
        body.put("request_id", requestId);
        body.put("hardware", Map.of("board_model", "Raspberry Pi 4 Model B Rev 1.4", "cpu_cores", 4, "ram_mb", 4096,
                "os", "linux", "arch", "arm64", "kernel", "6.1.0-rpi7-rpi-2712"));
        body.put("network", Map.of("hostname", "edgeflow-pi-001", "ip_address", "192.168.1.100", "mac_address",
                "dc:a6:32:01:02:03", "connection_type", "ethernet"));
        return body;
    }

    public Answer register(String code, String requestId) throws IOException, InterruptedException {
        return call("POST", "/api/v1/devices/register", registration(code, requestId), null);
    }

    public Answer register(String code) throws IOException, InterruptedException {
        return register(code, UUID.randomUUID().toString());
    }

    public Answer confirm(String deviceId, String key) throws IOException, InterruptedException {
        return call("POST", "/api/v1/devices/" + deviceId + "/confirm", null, key);
    }

    /** Registers and confirms a device with a fresh code; returns the registration answer. */
    public Answer provisionDevice() throws IOException, InterruptedException {
        Answer a = register(createCode());
        if (a.status() != 201) {
            throw new AssertionError("registering: " + a);
        }
        Answer c = confirm(a.text("device_id"), a.text("api_key"));
        if (c.status() != 200) {
            throw new AssertionError("confirming: " + c);
        }
        return a;
    }

    /**
     * Sends one HTTPS request from a chosen local address (127.0.0.2, ...), which the JDK's HTTP client
     * cannot do on Java 17: the server sees another source address.
     */
    public RawAnswer rawFrom(String localAddress, String method, String path, String body) throws Exception {
        try (SSLSocket socket = sendRaw(localAddress, method, path, body, true)) {
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            int split = response.indexOf("\r\n\r\n");
            String headers = response.substring(0, split);
            JsonNode json = JSON.readTree(response.substring(split + 4));
            return new RawAnswer(status, json, headers);
        }
    }

    /**
     * One request on a kept-alive connection (no {@code Connection: close} from us), from a given local address.
     *
     * @return the status line and headers of the answer
     */
    public String rawHeadersKeepAlive(String localAddress, String method, String path, String body) throws Exception {
        try (SSLSocket socket = sendRaw(localAddress, method, path, body, false)) {
            InputStream in = socket.getInputStream();
            StringBuilder headers = new StringBuilder();
            while (headers.indexOf("\r\n\r\n") < 0) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                headers.append((char) c);
            }
            return headers.toString();
        }
    }

    /** Connects from {@code localAddress}, verifying the server's name, and writes one request; the caller reads. */
    private SSLSocket sendRaw(String localAddress, String method, String path, String body, boolean close)
            throws Exception {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(30_000);
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(params);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + (close ? "\r\nConnection: close" : "") + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            return socket;
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    /** An answer read off a raw socket. */
    public record RawAnswer(int status, JsonNode body, String headers) {
        public String error() {
            return body.path("error").asText(null);
        }
    }

    /**
     * Opens a TLS connection from {@code localAddress} (127.0.0.x) to the server, verifying its name, for a
     * test that writes the request bytes itself (odd framing, bodies sent slowly or never finished).
     */
    public SSLSocket openRaw(String localAddress) throws Exception {
        return openRaw(localAddress, 30_000);
    }

    /** As {@link #openRaw(String)}, with a read timeout (handshake included) of {@code timeoutMillis}. */
    public SSLSocket openRaw(String localAddress, int timeoutMillis) throws Exception {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(timeoutMillis);
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(params);
            socket.startHandshake();
            return socket;
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Reads one answer off a raw connection: the status line and headers, then the body by its
     * {@code Content-Length} (or to the end of the stream).
     */
    public static RawAnswer readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new java.io.EOFException("the connection ended before an answer: " + head);
            }
            head.write(c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headers.substring(9, 12));
        int length = -1;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
        JsonNode json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        return new RawAnswer(status, json, headers);
    }

    public String startOutput() {
        return startOutput.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
