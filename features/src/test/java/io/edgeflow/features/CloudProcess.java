package io.edgeflow.features;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The reference cloud the build made ({@code cloud/target/edgeflow-cloud.jar serve}) as a process on a free loopback
 * port, over TLS with the CA it creates in its data directory, and a client of its admin API. The same as the
 * itests module's ReferenceCloud, cut to what the Karaf test needs (test classes are not shared between modules).
 */
final class CloudProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("Listening on https://127\\.0\\.0\\.1:(\\d+)");

    private final Path dataDir;
    private final Path log;
    private final Process process;
    private int port;
    private HttpClient client;

    private CloudProcess(Path dataDir, Path log, Process process) {
        this.dataDir = dataDir;
        this.log = log;
        this.process = process;
    }

    /** Starts the cloud; {@link #awaitListening} waits for it, so that it starts while Karaf does. */
    static CloudProcess start(Path dataDir, String... extraArgs) throws IOException {
        Path jar = Path.of(System.getProperty("edgeflow.cloud.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("the reference cloud was not built: " + jar);
        }
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "serve", "--port", "0", "--data-dir",
                dataDir.toString()));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new CloudProcess(dataDir, log, process);
    }

    /** Waits until the cloud listens (its log says where). */
    CloudProcess awaitListening(Duration patience) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(patience);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = LISTENING.matcher(text);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                return this;
            }
            // the cloud exiting is the failure; the wait paces the polling of its log meanwhile
            if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the reference cloud exited (" + process.exitValue() + "):\n" + text);
            }
        }
        throw new AssertionError("the reference cloud did not listen within " + patience + ":\n"
                + Files.readString(log));
    }

    /** @return the address as {@code url} in {@code io.edgeflow.saas} takes it */
    String url() {
        return "127.0.0.1:" + port;
    }

    Path caFile() {
        return dataDir.resolve("ca.pem");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** An answer of the cloud's API. */
    record Answer(int status, JsonNode body) {
    }

    /** Calls the admin API ({@code /api/v1/admin/<path>}) with the admin token the cloud wrote. */
    Answer admin(String method, String path, String body) throws Exception {
        String token = Files.readString(dataDir.resolve("admin-token"), StandardCharsets.UTF_8).strip();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + port + "/api/v1/admin/" + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isBlank() ? null : JSON.readTree(response.body()));
    }

    /** Creates a provisioning code, as an operator does ({@code code create}). */
    String createCode() throws Exception {
        Answer answer = admin("POST", "provisioning-codes", "{\"ttl_seconds\": 3600, \"label\": \"karaf-it\"}");
        if (answer.status() != 201) {
            throw new AssertionError("code not created: " + answer);
        }
        return answer.body().get("code").asText();
    }

    private synchronized HttpClient client() throws Exception {
        if (client == null) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            try (InputStream in = Files.newInputStream(caFile())) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca" + i++, c);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, factory.getTrustManagers(), null);
            client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        }
        return client;
    }
}
