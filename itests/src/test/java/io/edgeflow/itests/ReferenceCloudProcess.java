package io.edgeflow.itests;

import java.io.IOException;
import java.io.InputStream;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged reference cloud ({@code cloud/target/edgeflow-cloud.jar serve}) as a separate process on
 * 127.0.0.1: a free port the first time, the same port and data directory on a restart. Only the process
 * this object started is ever stopped.
 */
public final class ReferenceCloudProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("Listening on https://[^:]+:(\\d+)");

    private final Path dataDir;
    private final Path log;
    private final List<String> options;
    private Process process;
    private int port;
    private String adminToken;
    private SSLContext tls;
    private HttpClient http;

    /**
     * @param dir a directory for the data and the log
     * @param options further {@code serve} options, for example {@code --tunnel-idle-timeout 10s}
     */
    public ReferenceCloudProcess(Path dir, String... options) throws Exception {
        this.dataDir = dir.resolve("cloud-data");
        this.log = dir.resolve("cloud.log");
        this.options = List.of(options);
        start();
    }

    /** Starts the server: a free port the first time, afterwards the same one. */
    public void start() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        Path jar = Path.of(System.getProperty("edgeflow.cloud.jar", "../cloud/target/edgeflow-cloud.jar"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-jar", jar.toAbsolutePath().toString(), "serve", "--port",
                Integer.toString(port), "--data-dir", dataDir.toString()));
        command.addAll(options);
        Files.deleteIfExists(log);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = LISTENING.matcher(text);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                break;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the cloud did not start:\n" + text);
            }
            Thread.sleep(50);
        }
        if (port == 0) {
            throw new IllegalStateException("the cloud did not start within 60 s");
        }
        if (adminToken == null) {
            adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
            tls = trusting(caFile());
            http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        }
    }

    /** Stops the server it started: SIGTERM, or SIGKILL for a crash. */
    public void stop(boolean crash) throws InterruptedException {
        if (process != null && process.isAlive()) {
            if (crash) {
                process.destroyForcibly();
            } else {
                process.destroy();
            }
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    public int port() {
        return port;
    }

    public Path caFile() {
        return dataDir.resolve("ca.pem");
    }

    public SSLContext tls() {
        return tls;
    }

    public static SSLContext trusting(Path caFile) throws Exception {
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(caFile)) {
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

    /** An answer of the cloud. */
    public record Answer(int status, String text) {
        public JsonNode json() throws IOException {
            return JSON.readTree(text);
        }
    }

    public Answer call(String method, String path, String body, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    public Answer admin(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, adminToken);
    }

    /** A device registered with a fresh code; its key is not confirmed yet. */
    public record Device(String id, String key) {
    }

    public Device register() throws IOException, InterruptedException {
        Answer code = admin("POST", "/api/v1/admin/provisioning-codes", "{}");
        String body = "{\"provisioning_code\": \"" + code.json().path("code").asText() + "\", \"request_id\": \""
                + UUID.randomUUID() + "\"}";
        Answer registered = call("POST", "/api/v1/devices/register", body, null);
        if (registered.status() != 201) {
            throw new AssertionError("registering: " + registered);
        }
        JsonNode r = registered.json();
        return new Device(r.path("device_id").asText(), r.path("api_key").asText());
    }

    public JsonNode device(String id) throws IOException, InterruptedException {
        return admin("GET", "/api/v1/admin/devices/" + id, null).json();
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        stop(false);
    }
}
