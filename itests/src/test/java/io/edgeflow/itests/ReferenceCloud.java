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
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
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
 * The real reference cloud ({@code cloud/target/edgeflow-cloud.jar serve}) as a process on a loopback port,
 * over TLS with the local CA it creates in its data directory, and a client of its admin API (the token
 * from {@code <data-dir>/admin-token}). Stopped by the process handle it was started with.
 */
public final class ReferenceCloud implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)");

    private final Path dataDir;
    private final Path log;
    private final Process process;
    private final int port;
    private HttpClient client;

    private ReferenceCloud(Path dataDir, Path log, Process process, int port) {
        this.dataDir = dataDir;
        this.log = log;
        this.process = process;
        this.port = port;
    }

    /** @return the cloud jar the build made */
    public static Path jar() {
        return Path.of(System.getProperty("edgeflow.cloud.jar", "../cloud/target/edgeflow-cloud.jar"))
                .toAbsolutePath().normalize();
    }

    /**
     * Starts a cloud and waits until it listens.
     *
     * @param dataDir its data directory (created on first start, reused after)
     * @param port a port, or 0 for a free one
     * @param extraArgs further {@code serve} options
     * @return the running cloud
     */
    public static ReferenceCloud start(Path dataDir, int port, String... extraArgs) throws Exception {
        Files.createDirectories(dataDir.getParent());
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar().toString(), "serve",
                "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = LISTENING.matcher(text);
            if (m.find()) {
                return new ReferenceCloud(dataDir, log, process, Integer.parseInt(m.group(1)));
            }
            if (!process.isAlive()) {
                throw new AssertionError("the reference cloud exited (" + process.exitValue() + "):\n" + text);
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new AssertionError("the reference cloud did not listen within 60 s:\n" + Files.readString(log));
    }

    public int port() {
        return port;
    }

    /** @return the address as the agent's EDGEFLOW_SAAS_URL takes it (the documentation's host:port form) */
    public String url() {
        return "127.0.0.1:" + port;
    }

    public Path caFile() {
        return dataDir.resolve("ca.pem");
    }

    public Path dataDir() {
        return dataDir;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Kills the cloud (SIGKILL), as a crash would: no close frame, no goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Stops the cloud (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private synchronized HttpClient client() throws Exception {
        if (client == null) {
            client = HttpClient.newBuilder().sslContext(trusting(caFile())).connectTimeout(Duration.ofSeconds(5))
                    .build();
        }
        return client;
    }

    /** @return a TLS context that trusts only the given CA file */
    public static SSLContext trusting(Path caFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** An HTTP answer of the cloud. */
    public record Answer(int status, JsonNode body) {
    }

    public Answer call(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isBlank() ? null : JSON.readTree(response.body());
        return new Answer(response.statusCode(), json);
    }

    private String adminToken() throws IOException {
        return Files.readString(dataDir.resolve("admin-token"), StandardCharsets.UTF_8).strip();
    }

    public Answer admin(String method, String path, String body) throws Exception {
        return call(method, "/api/v1/admin/" + path, adminToken(), body);
    }

    /** Creates a provisioning code, as an operator does in the dashboard. */
    public String createCode(int ttlSeconds) throws Exception {
        Answer answer = admin("POST", "provisioning-codes", "{\"ttl_seconds\": " + ttlSeconds + ", \"label\": \"itest\"}");
        if (answer.status() != 201) {
            throw new AssertionError("code not created: " + answer);
        }
        return answer.body().get("code").asText();
    }

    /**
     * Creates a provisioning code that lives one second and waits until the cloud reports it expired: a test of
     * an expired code waits on the cloud's word, not on a fixed time.
     */
    public String createExpiredCode() throws Exception {
        Answer answer = admin("POST", "provisioning-codes", "{\"ttl_seconds\": 1, \"label\": \"itest\"}");
        if (answer.status() != 201) {
            throw new AssertionError("code not created: " + answer);
        }
        String id = answer.body().get("id").asText();
        Http.awaitTrue("the code " + id + " expired", java.time.Duration.ofSeconds(10),
                () -> "expired".equals(admin("GET", "provisioning-codes/" + id, null).body().path("state").asText()));
        return answer.body().get("code").asText();
    }

    /**
     * Creates a device with its credentials, as an administrator does in the dashboard (pre-provisioned
     * credentials).
     *
     * @return the answer: {@code device_id}, {@code api_key}, {@code env_file}
     */
    public JsonNode createDevice(String label) throws Exception {
        Answer answer = admin("POST", "devices", JSON.writeValueAsString(java.util.Map.of("label", label)));
        if (answer.status() != 201) {
            throw new AssertionError("device not created: " + answer);
        }
        return answer.body();
    }

    /** Registers a device directly with a code, and leaves it unconfirmed. */
    public JsonNode register(String code) throws Exception {
        Answer answer = call("POST", "/api/v1/devices/register", null, "{\"provisioning_code\": \"" + code
                + "\", \"request_id\": \"" + UUID.randomUUID() + "\"}");
        if (answer.status() != 201) {
            throw new AssertionError("not registered: " + answer);
        }
        return answer.body();
    }

    public JsonNode device(String deviceId) throws Exception {
        return admin("GET", "devices/" + deviceId, null).body();
    }

    /** @return the registration attempts in the audit trail for a code (masked as the cloud does), newest first */
    public List<JsonNode> registrations(String code) throws Exception {
        String masked = "PROV-****-" + code.substring(code.length() - 4);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode event : admin("GET", "audit?limit=1000", null).body().get("events")) {
            if (event.get("event").asText().equals("registration") && masked.equals(event.path("code").asText())) {
                out.add(event);
            }
        }
        return out;
    }

    /** @return the HTTP status the cloud answers to a device checking its key */
    public int checkKey(String deviceId, String apiKey) throws Exception {
        return call("GET", "/api/v1/devices/" + deviceId, apiKey, null).status();
    }
}
