package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An answer the cloud gives before it has read the request body (401 without the admin token, 405, 413 for
 * a body too large, 415 for a foreign type, a refused remote-access call) must reach the client, however
 * large the body it is still sending: the server reads and discards the rest of the body (within its bounds,
 * docs/cloud.md) before it closes the connection, so that the close is never a reset that destroys the
 * answer. Sent with the JDK's client, which writes the whole body before it reads, and byte for byte, which
 * does the same; every try must get its JSON error.
 */
class EarlyAnswerTest {
    private static final int TRIES = 20;
    private static final String REGISTER = "/api/v1/devices/register";
    private static final String CODES = "/api/v1/admin/provisioning-codes";
    private static final String REMOTE = "/api/v1/admin/devices/dev_1/local/api/v1/status";

    @TempDir
    static Path dir;
    static TestCloud cloud;
    LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @BeforeEach
    void captureLog() {
        log = new LogCapture();
    }

    @AfterEach
    void releaseLog() {
        log.close();
    }

    /** A body of this many bytes: one JSON object padded with spaces, so only its size is wrong. */
    private static byte[] body(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) ' ');
        byte[] object = "{\"code\":\"PROV-AAAA-BBBB-CCCC\"}".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(object, 0, body, 0, object.length);
        return body;
    }

    @ParameterizedTest(name = "{0} {1} ({2}) with {3} bytes: {4}")
    @CsvSource({
        "POST, " + CODES + ", application/json, 100000, 401, invalid_credentials",
        "POST, " + CODES + ", application/json, 2000000, 401, invalid_credentials",
        "POST, " + REGISTER + ", application/json, 100000, 413, invalid_request",
        "POST, " + REGISTER + ", application/json, 2000000, 413, invalid_request",
        "POST, " + REGISTER + ", text/plain, 100000, 415, invalid_request",
        "POST, " + REGISTER + ", text/plain, 2000000, 415, invalid_request",
        "PUT, " + REGISTER + ", application/json, 2000000, 405, method_not_allowed",
        "POST, " + REMOTE + ", application/json, 2000000, 401, invalid_credentials",
    })
    void theJdkClientGetsEveryEarlyAnswer(String method, String path, String type, int size, int status,
            String code) throws Exception {
        byte[] body = body(size);
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(cloud.url() + path))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", type)
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
            try {
                HttpResponse<String> response = cloud.http.send(request, HttpResponse.BodyHandlers.ofString());
                JsonNode json = TestCloud.JSON.readTree(response.body());
                if (response.statusCode() != status || !code.equals(json.path("error").asText())
                        || json.path("message").asText().isEmpty()) {
                    lost.add("try " + i + ": " + response.statusCode() + " " + response.body());
                }
            } catch (java.io.IOException e) {
                lost.add("try " + i + ": " + e);
            }
        }
        assertThat(lost).as("answers lost or wrong in %d tries", TRIES).isEmpty();
        assertStillAnswersAndNoTrace();
    }

    @ParameterizedTest(name = "raw {0} {1} ({2}) with {3} bytes: {4}")
    @CsvSource({
        "POST, " + CODES + ", application/json, 2000000, 401, invalid_credentials",
        "POST, " + REGISTER + ", application/json, 100000, 413, invalid_request",
        "POST, " + REGISTER + ", text/plain, 2000000, 415, invalid_request",
        "POST, " + REMOTE + ", application/json, 100000, 401, invalid_credentials",
    })
    void aClientThatWritesEverythingBeforeReadingGetsEveryEarlyAnswer(String method, String path, String type,
            int size, int status, String code) throws Exception {
        byte[] body = body(size);
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            RawHttp.Reply reply = RawHttp.send(cloud.tls, cloud.server.port(), method, path,
                    "Content-Type: " + type, body);
            if (reply.status() != status) {
                lost.add("try " + i + ": " + (reply.status() < 0 ? "no answer" : reply.head()));
                continue;
            }
            JsonNode json = TestCloud.JSON.readTree(reply.body());
            if (!code.equals(json.path("error").asText()) || json.path("message").asText().isEmpty()) {
                lost.add("try " + i + ": " + reply.body());
            }
        }
        assertThat(lost).as("answers lost or wrong in %d tries", TRIES).isEmpty();
        assertStillAnswersAndNoTrace();
    }

    private void assertStillAnswersAndNoTrace() throws Exception {
        assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
        assertThat(log.hasStackTrace()).as("stack trace in the log:%n%s", log.text()).isFalse();
        assertThat(log.linesWith("ERROR")).as("errors in the log").isEmpty();
    }
}
