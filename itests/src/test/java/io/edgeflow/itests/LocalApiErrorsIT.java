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
     * path encoding, a path that is not UTF-8) it answers itself, with its own HTML page: Felix HTTP Jetty 12 gives a bundle no hook for
     * it (docs/architecture.md, "What the HTTP server answers itself"). It is a 400 without a stack trace.
     */
    @Test
    public void whatJettyRefusesItselfIsA400WithoutStackTrace() throws Exception {
        awaitApi();
        for (String request : new String[] {"garbage\r\n\r\n",
                "GET /api/v1/saas/status HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\nConnection: close\r\n\r\n",
                "GET /api/v1/saas/%2e%2e/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                "PUT /api/v1/%2e%2e HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                "GET /api/v1/%ff%fe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"}) {
            Http.RawResponse response = Http.raw("127.0.0.1", port(), ascii(request));
            String what = request.replaceAll("[\r\n]+.*", "");
            assertEquals(what + " -> " + response.text(), 400, response.status());
            assertFalse(what + " leaked a stack trace", response.text().contains("Exception")
                    || response.text().contains("\tat "));
        }
        // and the API still answers
        Http.await("http://127.0.0.1:" + port() + "/api/v1/saas/status", 200, Duration.ofSeconds(5));
    }

    /**
     * The fuzz suite's share against the real runtime: generated requests that Jetty parses (any method token,
     * path, query, headers, declared length and body) to every endpoint, over raw sockets. Never a 5xx, always
     * the JSON error, and the API still answers afterwards. The seed is printed; {@code -Dfuzz.tries=N} for more.
     */
    @Test
    public void generatedRequestsAreAllAnsweredInJson() throws Exception {
        awaitApi();
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int tries = Integer.getInteger("fuzz.tries", 300);
        java.util.Random random = new java.util.Random(seed);
        String[] methods = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "BREW", "get"};
        String[] paths = {"/api/v1/saas/status", "/api/v1/saas/provision", "/api/v1/device/facts", "/api/v1/nope",
            "/", "/index.html", "/api/", "/api/v1/saas/status;x=1", "/api/v1/%41", "/system/console"};
        String[] types = {"application/json", "application/json; charset=UTF-32", "text/plain", "application/jsonfoo",
            "application/json; charset=bogus", ""};
        int answered = 0;
        for (int i = 0; i < tries; i++) {
            String method = methods[random.nextInt(methods.length)];
            String path = paths[random.nextInt(paths.length)];
            if (random.nextInt(4) == 0) {
                path += "?" + token(random, random.nextInt(3) == 0 ? 9_000 : 40);
            }
            byte[] body = body(random);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            if (random.nextBoolean()) {
                head.append("Content-Type: ").append(types[random.nextInt(types.length)]).append("\r\n");
            }
            if (random.nextInt(5) == 0) {
                head.append("Authorization: Bearer ").append(token(random, 20)).append("\r\n");
            }
            for (int h = random.nextInt(4); h > 0; h--) {
                head.append("X-").append(token(random, 10)).append(": ")
                        .append(token(random, random.nextInt(10) == 0 ? 20_000 : 50)).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(ascii(head.toString()));
            request.write(body);
            Http.RawResponse response = Http.raw("127.0.0.1", port(), request.toByteArray());
            String what = "seed " + seed + " #" + i + ": " + head.substring(0, Math.min(120, head.length()));
            assertTrue(what + " -> " + response.status(), response.status() >= 200 && response.status() < 500);
            int split = response.text().indexOf("\r\n\r\n");
            String bodyText = response.text().substring(split + 4);
            if (!"HEAD".equals(method) && response.status() != 204) {
                assertTrue(what + " -> " + response.text(), response.text().toLowerCase(java.util.Locale.ROOT)
                        .contains("content-type: application/json"));
                JsonNode json = JSON.readTree(bodyText);
                if (response.status() >= 400) {
                    assertTrue(what + " -> " + json, json.path("error").asText().matches("[a-z_]+"));
                    assertFalse(what + " -> " + json, json.path("message").asText().isBlank());
                }
            }
            assertFalse(what + " leaked a stack trace", response.text().contains("\tat "));
            answered++;
        }
        System.out.println("LocalApiErrorsIT: " + answered + " generated requests (seed " + seed + ")");
        Http.await("http://127.0.0.1:" + port() + "/api/v1/saas/status", 200, Duration.ofSeconds(5));
    }

    /** Letters, digits and the other characters of an HTTP token: what Jetty accepts in a path, query or header. */
    private static String token(java.util.Random random, int length) {
        String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(chars.charAt(random.nextInt(chars.length())));
        }
        return s.toString();
    }

    private static byte[] body(java.util.Random random) {
        switch (random.nextInt(6)) {
            case 0:
                return new byte[0];
            case 1:
                return ascii("{\"provisioning_code\": \"PROV-" + token(random, 4) + "-" + token(random, 4) + "\"}");
            case 2: {
                byte[] b = new byte[random.nextInt(300)];
                random.nextBytes(b);
                return b;
            }
            case 3:
                return ("{\"provisioning_code\": " + random.nextLong() + "}").getBytes(java.nio.charset.Charset
                        .forName(random.nextBoolean() ? "UTF-32" : "UTF-16"));
            case 4: {
                int n = 1 + random.nextInt(3000);
                return ascii("{\"a\":" + "[".repeat(n) + "]".repeat(n) + "}");
            }
            default: {
                byte[] b = new byte[4 + random.nextInt(40)];
                random.nextBytes(b);
                b[0] = 0;
                b[1] = 0;
                b[2] = 0;
                b[3] = '{';
                return b;
            }
        }
    }
}
