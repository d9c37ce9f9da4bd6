package io.edgeflow.tunnel.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.tunnel.TunnelSettings;

/**
 * The real reference cloud ({@code cloud/}) in this JVM, over TLS on 127.0.0.1 and a free port, with its
 * own data directory; it can be stopped and started again on the same port and data, as a restarted
 * cloud is. Admin calls go over HTTPS with the admin token, trusting the cloud's own CA.
 */
final class ReferenceCloud implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dataDir;
    private final TunnelSettings tunnel;
    private volatile CloudServer server;
    private int port;
    private String adminToken;
    private SSLContext tls;
    private HttpClient http;

    ReferenceCloud(Path dataDir, TunnelSettings tunnel) throws Exception {
        this.dataDir = dataDir;
        this.tunnel = tunnel;
        start();
    }

    /** Starts the server: the first time on a free port, afterwards on the same one. */
    synchronized void start() throws Exception {
        if (server != null) {
            throw new IllegalStateException("already running");
        }
        ServerConfig config = ServerConfig.ephemeral(dataDir).withTunnel(tunnel).withPort(port);
        Exception last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                server = CloudServer.start(config, Clock.systemUTC(),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                break;
            } catch (IOException e) {
                last = e; // the port may linger a moment after a stop
                Thread.sleep(20);
            }
        }
        if (server == null) {
            throw last;
        }
        port = server.port();
        if (adminToken == null) {
            adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
            tls = trusting(caFile());
            http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        }
    }

    /** Stops the server; the agent's tunnel closes with it. */
    synchronized void stop() {
        CloudServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    boolean running() {
        return server != null;
    }

    CloudServer server() {
        return server;
    }

    int port() {
        return port;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    Path caFile() {
        return dataDir.resolve("ca.pem");
    }

    SSLContext tls() {
        return tls;
    }

    static SSLContext trusting(Path caFile) throws Exception {
        X509Certificate ca;
        try (var in = Files.newInputStream(caFile)) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** An HTTP answer with its body as text and, if it is JSON, parsed. */
    record Answer(int status, String text, JsonNode json, HttpResponse<String> raw) {
        String field(String name) {
            return json == null ? null : json.path(name).asText(null);
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    Answer call(String method, String path, String body, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = response.body().isBlank() ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            // not JSON
        }
        return new Answer(response.statusCode(), response.body(), json, response);
    }

    Answer admin(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, adminToken);
    }

    /** The device as the admin API shows it. */
    JsonNode device(String deviceId) throws IOException, InterruptedException {
        Answer a = admin("GET", "/api/v1/admin/devices/" + deviceId, null);
        if (a.status() != 200) {
            throw new AssertionError("device " + deviceId + ": " + a);
        }
        return a.json();
    }

    /** A registered device: its id and key. */
    record Device(String id, String key) {
    }

    /**
     * Registers a device with a fresh code.
     *
     * @param confirm true to confirm the key as provisioning does; false to leave that to the tunnel
     */
    Device register(boolean confirm) throws IOException, InterruptedException {
        Answer code = admin("POST", "/api/v1/admin/provisioning-codes", "{}");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provisioning_code", code.field("code"));
        body.put("request_id", UUID.randomUUID().toString());
        body.put("hardware", Map.of("board_model", "tunnel test"));
        Answer registered = call("POST", "/api/v1/devices/register", JSON.writeValueAsString(body), null);
        if (registered.status() != 201) {
            throw new AssertionError("registering: " + registered);
        }
        Device device = new Device(registered.field("device_id"), registered.field("api_key"));
        if (confirm) {
            Answer confirmed = call("POST", "/api/v1/devices/" + device.id() + "/confirm", null, device.key());
            if (confirmed.status() != 200) {
                throw new AssertionError("confirming: " + confirmed);
            }
        }
        return device;
    }

    @Override
    public void close() {
        stop();
    }
}
