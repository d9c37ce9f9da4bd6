package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.ConnectionLimits;
import io.edgeflow.cloud.tunnel.TunnelSettings;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The fuzz suite of the cloud's HTTP side: generated requests to every endpoint (public, device, admin,
 * remote access, the tunnel's handshake) with malformed and odd bodies, encodings, types, credentials,
 * methods, paths and headers. Whatever comes in, the answer is a JSON error or a JSON answer, never a 5xx
 * other than remote access's documented 502/503/504, the log holds no stack trace, and the server still
 * answers. Tries per property: {@code -Dfuzz.tries=N} (default in the pom); bench/fuzz/run.sh runs more.
 */
class CloudApiFuzzTest {
    static Path dir;
    static TestCloud cloud;
    static LogCapture log;
    /** A device with an open tunnel that answers every request at once. */
    static String onlineId;
    static String onlineKey;
    static SimulatedDevice online;
    /** A device with no tunnel, and one that tries may revoke. */
    static String offlineId;
    static String offlineKey;
    static String victimId;
    static String codeId;
    /** A signed artifact, and a deployment of it to the online device. */
    static String artifactSha;
    static String deploymentId;
    static final AtomicBoolean answering = new AtomicBoolean(true);
    static Thread responder;
    static final AtomicLong requests = new AtomicLong();
    static int logChecked;
    static final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();

    record Endpoint(String method, String path) {
    }

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("cloud-fuzz");
        log = LogCapture.start();
        // no lockout: every registration reaches its body and its code, however many were wrong before
        // no limit on connections per address either (a fuzz run opens hundreds a second from 127.0.0.1), and
        // a tunnel idle timeout longer than any run: the online device only answers, it never beats
        cloud = new TestCloud(dir.resolve("data"),
                CloudSettings.DEFAULTS.withRateLimit(1_000_000, Duration.ofMinutes(1), Duration.ofMinutes(1)),
                TunnelSettings.DEFAULTS.withRequestTimeout(Duration.ofMillis(500)).withMaxBodyBytes(4096)
                        .withIdleTimeout(Duration.ofHours(1)),
                ConnectionLimits.DEFAULTS.withPerAddress(0, 0));
        Answer a = cloud.provisionDevice();
        onlineId = a.text("device_id");
        onlineKey = a.text("api_key");
        Answer b = cloud.provisionDevice();
        offlineId = b.text("device_id");
        offlineKey = b.text("api_key");
        victimId = cloud.provisionDevice().text("device_id");
        codeId = cloud.admin("GET", "/api/v1/admin/provisioning-codes?limit=1", null).body()
                .path("provisioning_codes").get(0).path("id").asText();
        java.security.KeyPair publisher = Bundles.keyPair();
        artifactSha = cloud.uploadSigned(Bundles.jar("io.edgeflow.fuzz", "1.0.0"), publisher);
        online = SimulatedDevice.connect(cloud, onlineId, onlineKey);
        online.next("hello");
        Answer dep = cloud.admin("POST", "/api/v1/admin/deployments", Map.of("operations", List.of(Map.of("action",
                "update", "artifact", artifactSha)), "devices", List.of(onlineId, offlineId)));
        assertThat(dep.status()).as(dep.toString()).isEqualTo(201);
        deploymentId = dep.text("id");
        responder = new Thread(CloudApiFuzzTest::answerRequests, "fuzz-device");
        responder.setDaemon(true);
        responder.start();
    }

    /** The online device: a JSON 200 for every request, at once. */
    private static void answerRequests() {
        while (answering.get()) {
            try {
                JsonNode f = online.frames.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && "request".equals(f.path("type").asText())) {
                    online.ws.sendText("{\"type\":\"response\",\"id\":\"" + f.path("id").asText() + "\",\"status\":200,"
                            + "\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"eyJvayI6dHJ1ZX0=\"}", true)
                            .get(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the tunnel is checked at the end
            }
        }
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
            assertThat(online.closed).as("the device's tunnel stayed open").isNotDone();
            assertThat(log.stackTraceLines()).as("stack traces in the log").isEmpty();
            System.out.println("Cloud HTTP fuzz: " + requests.get() + " generated requests");
        } finally {
            answering.set(false);
            responder.join(5_000);
            online.close();
            cloud.close();
            log.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterProperty
    void serverStillAnswersAndLogsNoStackTrace() throws Exception {
        assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
        List<String> lines = log.lines();
        List<String> fresh = lines.subList(Math.min(logChecked, lines.size()), lines.size());
        logChecked = lines.size();
        assertThat(fresh).as("log lines with a stack trace or an ERROR")
                .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:") || l.contains(" ERROR "));
    }

    // ------------------------------------------------------------------ endpoints and their requests

    static List<Endpoint> endpoints() {
        String local = "/api/v1/admin/devices/{online}/local/api/v1/device/facts";
        return List.of(
                new Endpoint("GET", "/api/v1/health"),
                new Endpoint("GET", "/api/v1/tunnel"),
                new Endpoint("POST", "/api/v1/devices/register"),
                new Endpoint("GET", "/api/v1/devices/{device}"),
                new Endpoint("POST", "/api/v1/devices/{device}/confirm"),
                new Endpoint("POST", "/api/v1/devices/{device}/rotate-key"),
                new Endpoint("POST", "/api/v1/admin/provisioning-codes"),
                new Endpoint("GET", "/api/v1/admin/provisioning-codes"),
                new Endpoint("GET", "/api/v1/admin/provisioning-codes/{code}"),
                new Endpoint("DELETE", "/api/v1/admin/provisioning-codes/{code}"),
                new Endpoint("GET", "/api/v1/admin/devices"),
                new Endpoint("POST", "/api/v1/admin/devices"),
                new Endpoint("GET", "/api/v1/admin/devices/{device}"),
                new Endpoint("DELETE", "/api/v1/admin/devices/{victim}"),
                new Endpoint("GET", "/api/v1/admin/audit"),
                new Endpoint("POST", "/api/v1/admin/artifacts"),
                new Endpoint("GET", "/api/v1/admin/artifacts"),
                new Endpoint("GET", "/api/v1/admin/artifacts/{artifact}"),
                new Endpoint("DELETE", "/api/v1/admin/artifacts/{artifact}"),
                new Endpoint("POST", "/api/v1/admin/artifacts/{artifact}/signatures"),
                new Endpoint("GET", "/api/v1/admin/release-key"),
                new Endpoint("POST", "/api/v1/admin/deployments"),
                new Endpoint("GET", "/api/v1/admin/deployments"),
                new Endpoint("GET", "/api/v1/admin/deployments/{deployment}"),
                new Endpoint("POST", "/api/v1/admin/deployments/{deployment}/cancel"),
                new Endpoint("GET", "/api/v1/devices/{device}/artifacts/{artifact}"),
                new Endpoint("POST", "/api/v1/devices/{device}/deployments/{deployment}/status"),
                new Endpoint("GET", local),
                new Endpoint("POST", local),
                new Endpoint("PUT", local),
                new Endpoint("DELETE", local),
                new Endpoint("GET", "/api/v1/admin/devices/{offline}/local/api/v1/device/facts"),
                new Endpoint("GET", "/api/v1/admin/devices/{device}/local{tail}"));
    }

    /** A path of an endpoint with its placeholders filled, sometimes with a query string. */
    static Arbitrary<String> path() {
        Arbitrary<String> device = FuzzInputs.idSegment(List.of("{online}", "{offline}", "{victim}"));
        Arbitrary<String> tail = Arbitraries.oneOf(
                Arbitraries.of("", "/", "/api/v1/", "/api/v2/x", "/system/console", "/api/v1/../x", "/api/v1/%2e%2e/x",
                        "/api/v1/a%2Fb", "/api/v1/a%5cb", "//api/v1/x", "/api/v1/x?y=%0d%0a"),
                FuzzInputs.text(40).map(t -> "/api/v1/" + FuzzInputs.percentEncode(t)));
        Arbitrary<String> filled = Combinators.combine(Arbitraries.of(endpoints()), device,
                FuzzInputs.idSegment(List.of("{code}")), tail, FuzzInputs.idSegment(List.of("{artifact}")),
                FuzzInputs.idSegment(List.of("{deployment}"))).as((e, d, c, t, a, dep) -> e.path()
                        .replace("{device}", d).replace("{code}", c).replace("{tail}", t).replace("{artifact}", a)
                        .replace("{deployment}", dep));
        return Combinators.combine(filled, FuzzInputs.query(), Arbitraries.integers().between(0, 3))
                .as((p, q, withQuery) -> withQuery == 0 ? p + "?" + q : p);
    }

    /**
     * The path with real identifiers; a DELETE of the online device itself (not of something under its
     * /local) goes to the victim device instead, or it would end the online device's tunnel.
     */
    static String fill(String method, String path) {
        String p = "DELETE".equalsIgnoreCase(method) ? path.replaceAll("\\{online\\}(?!/local)", "{victim}") : path;
        return p.replace("{online}", onlineId).replace("{offline}", offlineId).replace("{victim}", victimId)
                .replace("{code}", codeId).replace("{artifact}", artifactSha).replace("{deployment}", deploymentId);
    }

    /** One request through the JDK's HTTP client: a real client's framing, generated contents. */
    record ClientRequest(Endpoint endpoint, String path, String method, String authorization, String contentType,
            byte[] body) {
        @Override
        public String toString() {
            return method + " " + path + " auth=" + (authorization == null ? null : authorization.length() > 60
                    ? authorization.substring(0, 60) + "..." : authorization) + " type=" + contentType + " body="
                    + (body == null ? null : body.length + " bytes: " + new String(body, 0, Math.min(200, body.length),
                            StandardCharsets.ISO_8859_1));
        }
    }

    @Provide
    Arbitrary<ClientRequest> clientRequests() {
        List<String> tokens = List.of("{admin}", "{key}", "{offline-key}");
        Arbitrary<String> ownPath = Combinators.combine(Arbitraries.of(endpoints()),
                FuzzInputs.idSegment(List.of("{online}", "{offline}")), Arbitraries.integers().between(0, 4))
                .as((e, id, keep) -> keep > 0 ? e.path().replace("{device}", "{online}") : e.path().replace("{device}", id));
        return Combinators.combine(
                Arbitraries.of(endpoints()),
                Arbitraries.oneOf(ownPath, path()),
                Arbitraries.oneOf(Arbitraries.of("{own}"), Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE",
                        "OPTIONS", "HEAD", "TRACE", "PROPFIND", "BREW")),
                Arbitraries.oneOf(Arbitraries.just(null), FuzzInputs.authorization(tokens)),
                Arbitraries.oneOf(Arbitraries.just(null), FuzzInputs.contentType()),
                Arbitraries.oneOf(Arbitraries.just(null), bodies()))
                .as((e, p, m, auth, type, body) -> new ClientRequest(e, p.replace("{device}", "{online}")
                        .replace("{tail}", "/api/v1/x"), "{own}".equals(m) ? e.method() : m, auth, type, body));
    }

    @Property
    void everyEndpointAnswersEveryClientRequestWithJson(@ForAll("clientRequests") ClientRequest r) throws Exception {
        requests.incrementAndGet();
        String path = fill(r.method(), r.path());
        HttpRequest request;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cloud.url() + path)).timeout(Duration.ofSeconds(30));
            if (r.authorization() != null) {
                b.header("Authorization", r.authorization().replace("{admin}", cloud.adminToken)
                        .replace("{key}", onlineKey).replace("{offline-key}", offlineKey));
            }
            if (r.contentType() != null && !r.contentType().isEmpty()) {
                b.header("Content-Type", r.contentType());
            }
            b.method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(forAPathJettyMayRefuse(path, r.body())));
            request = b.build();
        } catch (IllegalArgumentException refusedByClient) {
            // a URI or header value the JDK will not send: the raw property sends such things
            Statistics.label("answer").collect("not sent: the JDK's client refuses it");
            return;
        }
        HttpResponse<byte[]> response;
        try {
            response = cloud.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new AssertionError("no answer to " + r + " (sent " + (r.body() == null ? 0
                    : forAPathJettyMayRefuse(path, r.body()).length) + " body bytes); before it: " + recent, e);
        }
        synchronized (recent) {
            recent.addLast(r + " -> " + response.statusCode() + " " + response.headers().map());
            if (recent.size() > 3) {
                recent.removeFirst();
            }
        }
        Map<String, List<String>> headers = response.headers().map();
        String type = response.headers().firstValue("content-type").orElse(null);
        check(r.toString(), r.method(), path, response.statusCode(), type, new String(response.body(),
                StandardCharsets.UTF_8));
        Statistics.label("answer").collect(response.statusCode());
        assertThat(headers).isNotNull();
    }

    /** A request written byte for byte: odd methods, paths, encodings and header lines. */
    record RawRequest(String method, String path, List<String> headerLines, byte[] body) {
        @Override
        public String toString() {
            String p = path.length() > 200 ? path.substring(0, 200) + "..." : path;
            return method + " " + p + " " + headerLines.stream().map(h -> h.length() > 80 ? h.substring(0, 80) + "..." : h)
                    .toList() + " body=" + (body == null ? null : body.length + " bytes");
        }
    }

    @Provide
    Arbitrary<RawRequest> rawRequests() {
        Arbitrary<String> oddPath = Arbitraries.oneOf(
                path(),
                path().map(p -> p.replace("/", "/./")),
                path().map(p -> p.replace("/api/v1/", "/api/v1/x/../")),
                path().map(p -> p.replace("/api/v1/", "/api/v1/%2e%2e/api/v1/")),
                path().map(p -> p.replace("/", "//")),
                path().map(p -> p.replace("a", "%61").replace("v", "%76")),
                path().map(p -> p.toUpperCase(Locale.ROOT)),
                path().map(p -> p + "#fragment"),
                path().map(p -> p + ";param"),
                Arbitraries.of("*", "/", "", "https://127.0.0.1/api/v1/health", "http://evil.example/api/v1/health",
                        "127.0.0.1:443", "/api/v1/health?" + "a=b&".repeat(2000), "/api/v1/" + "x/".repeat(3000),
                        "/api/v1/h%ealth", "/api/v1/%", "/api/v1/%zz", "/api/v1/\u00e9", "/api/v1/health%00",
                        "/api/v1/health/..;/admin/devices", "/%2e%2e/%2e%2e/etc/passwd"));
        return Combinators.combine(
                FuzzInputs.method(),
                oddPath,
                FuzzInputs.headerLine().list().ofMaxSize(4),
                Arbitraries.oneOf(Arbitraries.just(null), bodies()),
                Arbitraries.of(true, false))
                .as((m, p, h, body, typed) -> {
                    List<String> lines = typed ? Stream.concat(Stream.of("Content-Type: application/json",
                            "Authorization: Bearer {admin}"), h.stream()).toList() : h;
                    return new RawRequest(m, p, lines, body);
                });
    }

    @Property
    void oddRequestLinesAndHeadersGetJsonErrors(@ForAll("rawRequests") RawRequest r) throws Exception {
        requests.incrementAndGet();
        String path = fill(r.method(), r.path());
        String lines = String.join("\r\n", r.headerLines()).replace("{admin}", cloud.adminToken);
        byte[] body = framed(lines, r.body());
        RawHttp.Reply reply = RawHttp.send(cloud.tls, cloud.server.port(), r.method(), path, lines, body);
        check(r.toString(), r.method(), path, reply.status(), reply.header("content-type"), reply.body());
        Statistics.label("answer").collect(reply.status());
    }

    /**
     * The body to send through the JDK's client: whole, unless Jetty's request parser refuses the path (a
     * {@code %00}, a broken escape such as {@code %zz}): the parser gives up on such a request before its body,
     * Jetty answers and closes with the body unread, and the JDK's client, which writes the whole body before it
     * reads, can lose that answer to the reset (seen in CI even with 4 KiB bodies). A known limit (docs/
     * protocol.md), so such requests go without a body here; the raw sender, which reads whatever arrived,
     * carries every body whole. A URI the parser takes but the cloud refuses (an ambiguous {@code %2F},
     * {@code %25}, {@code ..} or empty segment) is refused by the cloud itself, its body drained, and is sent
     * whole (ErrorBodiesTest checks it with 1 MiB bodies).
     */
    static byte[] forAPathJettyMayRefuse(String path, byte[] body) {
        try {
            org.eclipse.jetty.http.HttpURI.build("https://127.0.0.1" + path);
            return body;
        } catch (IllegalArgumentException refusedByTheParser) {
            return new byte[0];
        }
    }

    /**
     * Bodies as {@link FuzzInputs#body()} makes them (up to about 120 KB), and one in four of 64 KiB to
     * 2 MiB: far over the 16 KiB limit, refused before it is read while the client still sends it. Its answer
     * must arrive all the same: the cloud reads and discards up to 4 MiB of it before it closes (before it did,
     * the JDK's client lost such answers to a reset, which this suite then caught in its 200 tries).
     */
    static Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> large = Combinators.combine(FuzzInputs.body(), Arbitraries.integers().between(64 * 1024,
                2 * 1024 * 1024)).as((start, size) -> {
                    byte[] body = java.util.Arrays.copyOf(start, Math.max(size, start.length));
                    java.util.Arrays.fill(body, start.length, body.length, (byte) ' ');
                    return body;
                });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, FuzzInputs.body()), net.jqwik.api.Tuple.of(1, large));
    }

    /**
     * The body as its header lines frame it: chunks for a chunked request (broken chunked framing is tested
     * in RequestBodyTest), padded to a declared Content-Length, so the server never waits for bytes that
     * will not come.
     */
    static byte[] framed(String headerLines, byte[] body) {
        String lower = headerLines.toLowerCase(Locale.ROOT);
        byte[] b = body == null ? new byte[0] : body;
        if (lower.contains("transfer-encoding: chunked")) {
            byte[] head = (Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] tail = (b.length == 0 ? "" : "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[head.length + b.length + tail.length + (b.length == 0 ? 2 : 0)];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(b, 0, out, head.length, b.length);
            System.arraycopy(tail, 0, out, head.length + b.length, tail.length);
            if (b.length == 0) {
                out[out.length - 2] = '\r';
                out[out.length - 1] = '\n';
            }
            return out;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("content-length: (\\d{1,6})\r?$",
                java.util.regex.Pattern.MULTILINE).matcher(lower);
        if (m.find()) {
            int declared = Integer.parseInt(m.group(1));
            if (b.length < declared) {
                byte[] padded = java.util.Arrays.copyOf(b, declared);
                java.util.Arrays.fill(padded, b.length, declared, (byte) ' ');
                return padded;
            }
        }
        return body;
    }

    /** The invariants of every answer. */
    static void check(String request, String method, String path, int status, String type, String body) {
        String what = request + "\n  -> " + status + " " + type + " " + (body.length() > 300 ? body.substring(0, 300)
                : body);
        assertThat(status).as("an answer: " + what).isBetween(200, 599);
        boolean remote = path.contains("/local");
        if (status >= 500) {
            assertThat(remote && (status == 502 || status == 503 || status == 504))
                    .as("only remote access may answer 502/503/504: " + what).isTrue();
        }
        if ((status == 200 || status == 206) && path.contains("/artifacts/") && path.startsWith("/api/v1/devices/")) {
            // an artifact's bytes, downloaded by the device a deployment targets
            assertThat(type).as("content type: " + what).isEqualTo("application/java-archive");
            return;
        }
        assertThat(type).as("content type: " + what).isNotNull().startsWith("application/json");
        if ("HEAD".equalsIgnoreCase(method) || status == 204 || status == 304) {
            return;
        }
        JsonNode json;
        try {
            json = TestCloud.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + what, e);
        }
        assertThat(json != null && json.isObject()).as("a JSON object: " + what).isTrue();
        if (status >= 400) {
            assertThat(json.path("error").isTextual() && json.path("message").isTextual())
                    .as("{error, message}: " + what).isTrue();
            assertThat(json.path("message").asText()).as("no stack trace in the message: " + what)
                    .doesNotContain("\tat ").doesNotContain("Exception");
        }
    }
}
