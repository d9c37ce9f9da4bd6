package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every answer of the local API is its JSON error, also for what the HTTP server itself refuses: raw
 * requests over a socket, in the agent's own runtime (Felix HTTP Jetty 12).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LocalApiErrorsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("api-errors");
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(), dir.resolve("absent.env"), Map.of());
    }

    private int port() {
        return Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
    }

    private void awaitApi() throws InterruptedException {
        Http.await("http://127.0.0.1:" + port() + "/api/v1/saas/status", 200, Duration.ofSeconds(20));
    }

    /** Sends the bytes, checks the status, the content type and the JSON error code; returns the body. */
    private JsonNode expect(byte[] request, int status, String code) throws Exception {
        Http.RawResponse response = Http.raw("127.0.0.1", port(), request);
        String text = response.text();
        String what = new String(request, 0, Math.min(60, request.length), StandardCharsets.ISO_8859_1)
                .replaceAll("[\\r\\n]+.*", "");
        int split = text.indexOf("\r\n\r\n");
        assertTrue(what + ": no head/body split in " + text, split > 0);
        String head = text.substring(0, split).toLowerCase(java.util.Locale.ROOT);
        assertEquals(what + " -> " + text, status, response.status());
        assertTrue(what + ": not JSON: " + text, head.contains("content-type: application/json"));
        JsonNode body = JSON.readTree(text.substring(split + 4));
        assertEquals(what + " -> " + body, code, body.path("error").asText());
        assertFalse(what + ": no message", body.path("message").asText().isBlank());
        assertFalse(what + " leaked a stack trace", text.contains("Exception") || text.contains("\tat "));
        return body;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    public void aUtf32BodyWithInvalidBytesIs400Json() throws Exception {
        awaitApi();
        byte[] body = {0, 0, 0, '{', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, '}'};
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(ascii("POST /api/v1/saas/provision HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n"));
        request.write(body);
        expect(request.toByteArray(), 400, "invalid_json");
        // charset=UTF-32 named by the client: the same answer
        request.reset();
        request.write(ascii("POST /api/v1/saas/provision HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json;"
                + " charset=UTF-32\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n"));
        request.write(body);
        expect(request.toByteArray(), 400, "invalid_json");
    }

    @Test
    public void aLongUriIs414Json() throws Exception {
        awaitApi();
        expect(ascii("GET /api/v1/saas/status?x=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n"), 414, "uri_too_long");
        expect(ascii("GET /" + "b".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
                414, "uri_too_long");
    }

    @Test
    public void largeHeadersAre431Json() throws Exception {
        awaitApi();
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            headers.append("X-Filler-").append(i).append(": ").append("h".repeat(1000)).append("\r\n");
        }
        expect(ascii("GET /api/v1/saas/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n"),
                431, "headers_too_large");
        expect(ascii("GET /api/v1/device/facts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-One: " + "h".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n"), 431, "headers_too_large");
    }

    @Test
    public void pathsOutsideTheApiAreJson404() throws Exception {
        awaitApi();
        for (String path : new String[] {"/", "/index.html", "/system/console", "/api", "/favicon.ico"}) {
            for (String method : new String[] {"GET", "POST", "DELETE"}) {
                expect(ascii(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n"), 404, "not_found");
            }
        }
    }

    /**
     * What Jetty refuses before any servlet of ours runs (a request line or header it cannot parse, an ambiguous
     * path encoding) it answers itself, with its own HTML page: Felix HTTP Jetty 12 gives a bundle no hook for
     * it (docs/architecture.md, "What the HTTP server answers itself"). It is a 400 without a stack trace.
     */
    @Test
    public void whatJettyRefusesItselfIsA400WithoutStackTrace() throws Exception {
        awaitApi();
        for (String request : new String[] {"garbage\r\n\r\n",
                "GET /api/v1/saas/status HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\nConnection: close\r\n\r\n",
                "GET /api/v1/saas/%2e%2e/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                "PUT /api/v1/%2e%2e HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"}) {
            Http.RawResponse response = Http.raw("127.0.0.1", port(), ascii(request));
            String what = request.replaceAll("[\r\n]+.*", "");
            assertEquals(what + " -> " + response.text(), 400, response.status());
            assertFalse(what + " leaked a stack trace", response.text().contains("Exception")
                    || response.text().contains("\tat "));
        }
        // and the API still answers
        Http.await("http://127.0.0.1:" + port() + "/api/v1/saas/status", 200, Duration.ofSeconds(5));
    }
}
