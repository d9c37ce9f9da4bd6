package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.RawAnswer;

/**
 * Bodies a client gets wrong (docs/protocol.md): a body that is not UTF-8 JSON, broken chunked framing, an
 * upload that stops half-way, a missing or foreign {@code Content-Type}. Each is the caller's mistake: a 4xx
 * with the JSON error, no stack trace in the log, and the server answers the next request.
 */
class RequestBodyTest extends RunningCloudWithLog {

    private HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cloud.url() + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return cloud.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return TestCloud.JSON.readTree(response.body());
    }

    private void assertStillAnswersAndNoTrace() throws Exception {
        assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
        assertThat(log.hasStackTrace()).as("stack trace in the log:%n%s", log.text()).isFalse();
        assertThat(log.linesWith("ERROR")).as("errors in the log").isEmpty();
    }

    @Test
    void aUtf32BodyWithAnInvalidCodePointIsInvalidRequest() throws Exception {
        // UTF-32BE of {"provisioning_code":" then 0x00110000 (beyond Unicode) then "}: Jackson guesses UTF-32
        // from the leading zero bytes and throws a CharConversionException, an IOException
        ByteBuffer body = ByteBuffer.allocate(400);
        body.put("{\"provisioning_code\":\"".getBytes(Charset.forName("UTF-32BE")));
        body.putInt(0x00110000);
        body.put("\"}".getBytes(Charset.forName("UTF-32BE")));
        byte[] bytes = new byte[body.position()];
        body.flip().get(bytes);

        HttpResponse<String> r = post("/api/v1/devices/register", "application/json", bytes);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).isEqualTo("invalid_request");
        assertStillAnswersAndNoTrace();
    }

    @Test
    void aValidUtf32BodyIsRefusedAsNotUtf8() throws Exception {
        byte[] bytes = "{\"a\": 1}".getBytes(Charset.forName("UTF-32LE"));
        HttpResponse<String> r = post("/api/v1/devices/register", "application/json", bytes);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).isEqualTo("invalid_request");
    }

    @Test
    void invalidUtf8IsInvalidRequest() throws Exception {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
        HttpResponse<String> r = post("/api/v1/devices/register", "application/json", bytes);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("message").asText()).contains("UTF-8");
        assertStillAnswersAndNoTrace();
    }

    @Test
    void aMalformedChunkedBodyIsInvalidRequest() throws Exception {
        try (SSLSocket socket = cloud.openRaw("127.0.0.1")) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/devices/register HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\n{\"a\"\r\nZZ-not-a-size\r\n:1}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawAnswer a = TestCloud.readAnswer(socket.getInputStream());
            assertThat(a.status()).as(a.headers()).isEqualTo(400);
            assertThat(a.error()).isEqualTo("invalid_request");
            assertThat(a.headers()).containsIgnoringCase("content-type: application/json");
        }
        assertStillAnswersAndNoTrace();
    }

    @Test
    void anUploadThatStopsHalfWayIsInvalidRequestAndOneShortLine() throws Exception {
        try (SSLSocket socket = cloud.openRaw("127.0.0.1")) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/devices/register HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"provisioning_code\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput(); // TLS close_notify: the body ends at 21 of 500 bytes
            InputStream in = socket.getInputStream();
            RawAnswer a = TestCloud.readAnswer(in);
            assertThat(a.status()).as(a.headers()).isEqualTo(400);
            assertThat(a.error()).isEqualTo("invalid_request");
        }
        assertStillAnswersAndNoTrace();
        assertThat(log.linesWith("aborted-body")).hasSize(1).allSatisfy(l -> assertThat(l).contains("WARN")
                .contains("POST /api/v1/devices/register from 127.0.0.1"));
    }

    @Test
    void aBodyWithoutContentTypeIsUnsupportedMediaType() throws Exception {
        byte[] body = TestCloud.JSON.writeValueAsBytes(TestCloud.registration(cloud.createCode(),
                UUID.randomUUID().toString()));
        HttpResponse<String> r = post("/api/v1/devices/register", null, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(415);
        assertThat(json(r).path("error").asText()).isEqualTo("invalid_request");
        assertThat(json(r).path("message").asText()).contains("application/json");
    }

    @Test
    void aTypeThatOnlyBeginsLikeJsonIsUnsupportedMediaType() throws Exception {
        byte[] body = TestCloud.JSON.writeValueAsBytes(TestCloud.registration(cloud.createCode(),
                UUID.randomUUID().toString()));
        for (String type : new String[] {"application/jsonfoo", "application/json-patch+json", "text/plain",
            "application/json; charset=utf-16"}) {
            HttpResponse<String> r = post("/api/v1/devices/register", type, body);
            assertThat(r.statusCode()).as(type + ": " + r.body()).isEqualTo(415);
            assertThat(json(r).path("error").asText()).isEqualTo("invalid_request");
        }
        assertThat(post("/api/v1/devices/register", "Application/JSON; charset=\"UTF-8\"", body).statusCode())
                .as("JSON with a UTF-8 charset is what we ask for").isEqualTo(201);
    }

    @Test
    void aChunkedBodyWithoutTypeIsUnsupportedMediaType() throws Exception {
        try (SSLSocket socket = cloud.openRaw("127.0.0.1")) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/devices/register HTTP/1.1\r\nHost: localhost\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawAnswer a = TestCloud.readAnswer(socket.getInputStream());
            assertThat(a.status()).as(a.headers()).isEqualTo(415);
            assertThat(a.error()).isEqualTo("invalid_request");
        }
    }

    @Test
    void anAdminCallWithABodyButNoTypeIsUnsupportedMediaTypeWhileOneWithoutBodyNeedsNone() throws Exception {
        HttpRequest.Builder withBody = HttpRequest.newBuilder(URI.create(cloud.url() + "/api/v1/admin/provisioning-codes"))
                .header("Authorization", "Bearer " + cloud.adminToken)
                .POST(HttpRequest.BodyPublishers.ofString("{\"label\": \"x\"}"));
        HttpResponse<String> r = cloud.http.send(withBody.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(415);

        HttpRequest.Builder noBody = HttpRequest.newBuilder(URI.create(cloud.url() + "/api/v1/admin/provisioning-codes"))
                .header("Authorization", "Bearer " + cloud.adminToken).POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> created = cloud.http.send(noBody.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }
}
