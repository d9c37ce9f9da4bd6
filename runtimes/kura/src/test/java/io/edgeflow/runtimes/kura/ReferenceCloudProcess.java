package io.edgeflow.runtimes.kura;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The reference cloud the build made ({@code cloud/target/edgeflow-cloud.jar serve}) as a process on a free loopback
 * port, over TLS with the CA it creates in its data directory; enough of its admin API to hand out a provisioning
 * code (itests' ReferenceCloud has the rest). Stopped through the handle it was started with, nothing else.
 */
final class ReferenceCloudProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dataDir;
    private final Process process;
    private final int port;
    private final HttpClient client;

    private ReferenceCloudProcess(Path dataDir, Process process, int port) throws Exception {
        this.dataDir = dataDir;
        this.process = process;
        this.port = port;
        this.client = HttpClient.newBuilder().sslContext(trusting(caFile())).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static ReferenceCloudProcess start(Path jar, Path dataDir) throws Exception {
        Files.createDirectories(dataDir.getParent());
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "serve", "--port", "0",
                "--data-dir", dataDir.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            Matcher listening = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (listening.find()) {
                return new ReferenceCloudProcess(dataDir, process, Integer.parseInt(listening.group(1)));
            }
            // paces the polling, and ends it early when the cloud exits
            if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the reference cloud exited (" + process.exitValue() + "):\n"
                        + Files.readString(log));
            }
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("the reference cloud did not listen within 60 s:\n" + Files.readString(log));
    }

    /** @return the address as EDGEFLOW_SAAS_URL takes it */
    String url() {
        return "127.0.0.1:" + port;
    }

    Path caFile() {
        return dataDir.resolve("ca.pem");
    }

    /** Creates a provisioning code as an operator does in the dashboard. */
    String createCode() throws Exception {
        JsonNode created = admin("POST", "provisioning-codes", "{\"ttl_seconds\": 600, \"label\": \"kura-it\"}", 201);
        return created.get("code").asText();
    }

    JsonNode device(String deviceId) throws Exception {
        return admin("GET", "devices/" + deviceId, null, 200);
    }

    private JsonNode admin(String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/admin/"
                + path)).timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer "
                + Files.readString(dataDir.resolve("admin-token")).strip())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new AssertionError(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, certificate);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
