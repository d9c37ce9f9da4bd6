package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server as a separate process, killed with SIGKILL right after it answered: every answered
 * registration is there after a restart. Then the data directory is scanned byte by byte for any API
 * key, provisioning code or admin token in clear.
 */
class DurabilityTest {
    private static final Pattern LISTENING = Pattern.compile("Listening on (https://\\S+)");

    @TempDir
    Path dir;
    private Process process;

    @AfterEach
    void stopOurProcess() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code Main serve} in a new JVM on a free port; returns its URL. */
    private String startServer(Path data) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                classpath, "io.edgeflow.cloud.Main", "serve", "--port", "0", "--data-dir", data.toString())
                .redirectErrorStream(true);
        String database = PostgresServer.urlForTestCloud(data);
        if (database != null) {
            // the PostgreSQL run: the killed process's answered work must be in PostgreSQL after the restart
            builder.environment().put("EDGEFLOW_CLOUD_DATABASE_URL", database);
        }
        process = builder.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process p = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process died: that is what this test does
            }
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                if (!process.isAlive()) {
                    break;
                }
                continue;
            }
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("the server did not start:\n" + seen);
    }

    private void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no checkpoint, no close
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("killed by signal 9").isEqualTo(137);
    }

    private static JsonNode send(HttpClient client, String method, String url, Object body, String bearer)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
        if (bearer != null) {
            r.header("Authorization", "Bearer " + bearer);
        }
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(TestCloud.JSON.writeValueAsBytes(body)));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = TestCloud.JSON.readTree(response.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("_status", response.statusCode());
        return json;
    }

    @Test
    void answeredRegistrationsSurviveSigkillAndNothingSecretIsStoredInClear() throws Exception {
        Path data = dir.resolve("data");
        String url = startServer(data);
        String token = Files.readString(data.resolve("admin-token")).trim();
        HttpClient client = HttpClient.newBuilder().sslContext(TestCloud.trusting(data.resolve("ca.pem"))).build();

        List<String> codes = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> devices = new ArrayList<>();
        // a code that stays unused, one confirmed, and twenty registrations answered just before the kill
        String unused = send(client, "POST", url + "/api/v1/admin/provisioning-codes", Map.of("label", "unused"), token)
                .path("code").asText();
        codes.add(unused);
        String confirmedCode = send(client, "POST", url + "/api/v1/admin/provisioning-codes", Map.of(), token)
                .path("code").asText();
        codes.add(confirmedCode);
        JsonNode confirmed = send(client, "POST", url + "/api/v1/devices/register",
                TestCloud.registration(confirmedCode, UUID.randomUUID().toString()), null);
        keys.add(confirmed.path("api_key").asText());
        assertThat(send(client, "POST", url + "/api/v1/devices/" + confirmed.path("device_id").asText() + "/confirm",
                null, confirmed.path("api_key").asText()).path("_status").asInt()).isEqualTo(200);
        List<String> pendingCodes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String code = send(client, "POST", url + "/api/v1/admin/provisioning-codes", Map.of(), token)
                    .path("code").asText();
            codes.add(code);
            pendingCodes.add(code);
        }
        for (String code : pendingCodes) {
            JsonNode r = send(client, "POST", url + "/api/v1/devices/register",
                    TestCloud.registration(code, UUID.randomUUID().toString()), null);
            assertThat(r.path("_status").asInt()).isEqualTo(201);
            keys.add(r.path("api_key").asText());
            devices.add(r.path("device_id").asText());
        }
        kill(); // right after the last answer

        List<String> secrets = new ArrayList<>(keys);
        secrets.add(token);
        for (String code : codes) {
            secrets.add(code);
            secrets.add(code.replace("-", ""));
            secrets.add(code.substring(5).replace("-", ""));
            secrets.add(code.toLowerCase(Locale.ROOT));
        }
        assertNoSecretIn(data, secrets);

        // restart: every answered registration is there and its key confirms
        url = startServer(data);
        for (int i = 0; i < devices.size(); i++) {
            JsonNode c = send(client, "POST", url + "/api/v1/devices/" + devices.get(i) + "/confirm", null,
                    keys.get(i + 1));
            assertThat(c.path("_status").asInt()).as("device " + i + ": " + c).isEqualTo(200);
        }
        JsonNode list = send(client, "GET", url + "/api/v1/admin/devices", null, token);
        assertThat(list.path("_status").asInt()).as("the admin token survived too").isEqualTo(200);
        assertThat(list.path("devices")).hasSize(21);
        assertThat(send(client, "GET", url + "/api/v1/devices/" + confirmed.path("device_id").asText(), null,
                confirmed.path("api_key").asText()).path("_status").asInt()).isEqualTo(200);
        JsonNode registered = send(client, "POST", url + "/api/v1/devices/register",
                TestCloud.registration(unused, UUID.randomUUID().toString()), null);
        assertThat(registered.path("_status").asInt()).as("the unused code still works").isEqualTo(201);
        keys.add(registered.path("api_key").asText());
        secrets.add(registered.path("api_key").asText());
        JsonNode audit = send(client, "GET", url + "/api/v1/admin/audit?limit=1000", null, token);
        assertThat(audit.path("events").size()).isGreaterThan(40);

        // a clean stop checkpoints the log into the database file: scan that too
        process.destroy(); // SIGTERM: the shutdown hook closes the database
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertNoSecretIn(data, secrets);
    }

    /**
     * Every file of the data directory but the admin token hand-over file, byte by byte; in the PostgreSQL
     * run also every row of the cloud's tables there, as text (its files may not be written yet: the test
     * server runs with fsync off, and pages sit in its memory).
     */
    private static void assertNoSecretIn(Path data, List<String> secrets) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(data)) {
            files = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("admin-token"))
                    .toList();
        }
        String database = PostgresServer.urlForTestCloud(data);
        if (database == null) {
            assertThat(files).extracting(f -> f.getFileName().toString()).contains("cloud.db");
        }
        Map<String, String> contents = new java.util.LinkedHashMap<>();
        for (Path file : files) {
            contents.put(file.getFileName().toString(),
                    new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        }
        if (database != null) {
            String rows = PostgresServer.get().rowsAsText(database);
            assertThat(rows).as("the dump reads the cloud's tables").contains("code_created");
            contents.put("the PostgreSQL store", rows);
        }
        long scanned = 0;
        for (Map.Entry<String, String> content : contents.entrySet()) {
            scanned += content.getValue().length();
            for (String secret : secrets) {
                assertThat(content.getValue().contains(secret)).as(content.getKey() + " holds a secret in clear")
                        .isFalse();
            }
        }
        assertThat(scanned).as("the scan read something").isGreaterThan(10_000);
        // the scan can see secrets: the hand-over file does hold the token
        String handover = Files.readString(data.resolve("admin-token"));
        assertThat(secrets.stream().anyMatch(handover::contains)).isTrue();
    }
}
