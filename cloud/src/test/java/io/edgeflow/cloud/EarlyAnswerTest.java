package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.RawAnswer;
import io.edgeflow.cloud.server.ConnectionLimits;

/**
 * An answer the cloud gives before it has read the request body (401 without the admin token, 405, 413 for
 * a body too large, 415 for a foreign type, a refused remote-access call) must reach the client, however
 * large the body it is still sending: the server reads and discards the rest of the body (within its bounds,
 * docs/cloud.md) before it closes the connection, so that the close is never a reset that destroys the
 * answer. Sent with the JDK's client, which writes the whole body before it reads, and byte for byte, which
 * does the same; every try must get its JSON error.
 */
class EarlyAnswerTest extends RunningCloudWithLog {
    private static final int TRIES = 20;
    private static final String REGISTER = "/api/v1/devices/register";
    private static final String CODES = "/api/v1/admin/provisioning-codes";
    private static final String REMOTE = "/api/v1/admin/devices/dev_1/local/api/v1/status";

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
            } catch (IOException e) {
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

    /**
     * The rest of a refused body is read only up to a bound: a client that announces 64 MiB and keeps
     * sending gets its answer at once (it reads while it sends), and the server closes the connection once it
     * has discarded its 4 MiB, long before the 64 MiB.
     */
    @Test
    @Timeout(120)
    void aRefusedBodyIsDiscardedOnlyUpToItsBound() throws Exception {
        long announced = 64L * 1024 * 1024;
        long written = 0;
        try (SSLSocket socket = cloud.openRaw("127.0.0.21")) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + CODES + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + announced + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = body(64 * 1024);
            out.write(chunk);
            out.flush();
            written += chunk.length;
            RawAnswer a = TestCloud.readAnswer(socket.getInputStream());
            assertThat(a.status()).as(a.headers()).isEqualTo(401);
            assertThat(a.error()).isEqualTo("invalid_credentials");
            assertThat(a.headers()).containsIgnoringCase("connection: close");
            Arrays.fill(chunk, (byte) ' ');
            try {
                while (written < announced) {
                    out.write(chunk);
                    written += chunk.length;
                }
                out.flush();
            } catch (IOException closed) {
                // the server stopped reading and closed: what this test waits for
            }
        }
        // 4 MiB discarded, plus what the sockets' buffers held when the server closed
        assertThat(written).as("bytes the server took before it closed").isLessThan(announced);
        assertStillAnswersAndNoTrace();
    }

    /**
     * A client that sends the rest of its refused body a byte at a time holds the connection only for the body
     * timeout: the answer comes at once, the close when the time is up, though each byte resets the idle
     * timeout (an hour here).
     */
    @Test
    void aTricklingRefusedBodyIsDiscardedOnlyForTheBodyTimeout(@TempDir Path own) throws Exception {
        ConnectionLimits limits = new ConnectionLimits(Duration.ofMillis(300), Duration.ofHours(1), 0, 0);
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        CompletableFuture<IOException> closed = new CompletableFuture<>();
        try (TestCloud slow = new TestCloud(own.resolve("data"), limits);
                SSLSocket socket = slow.openRaw("127.0.0.22", 30_000)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + CODES + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{\"label\": ").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawAnswer a = TestCloud.readAnswer(socket.getInputStream());
            assertThat(a.status()).as(a.headers()).isEqualTo(401);
            assertThat(a.error()).isEqualTo("invalid_credentials");
            trickle.scheduleAtFixedRate(() -> {
                try {
                    out.write(' ');
                    out.flush();
                } catch (IOException e) {
                    closed.complete(e);
                    throw new IllegalStateException(e); // ends the schedule
                }
            }, 50, 50, TimeUnit.MILLISECONDS);
            try {
                closed.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the server kept reading a trickling refused body for 30 s", e);
            }
            assertThat(slow.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
        } finally {
            trickle.shutdownNow();
        }
        assertThat(log.hasStackTrace()).as("stack trace in the log:%n%s", log.text()).isFalse();
        assertThat(log.linesWith("ERROR")).as("errors in the log").isEmpty();
    }

    private void assertStillAnswersAndNoTrace() throws Exception {
        assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
        assertThat(log.hasStackTrace()).as("stack trace in the log:%n%s", log.text()).isFalse();
        assertThat(log.linesWith("ERROR")).as("errors in the log").isEmpty();
    }
}
