package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.servlet.RequestDispatcher;
import javax.servlet.http.HttpServlet;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Thousands of generated requests against every servlet of the local API, in memory: any method, URI,
 * query, headers, declared length and body (malformed JSON, wrong types, huge and deeply nested values,
 * bytes that are not UTF-8/16/32, byte order marks). Invariants: never a 5xx, every answer with a body is
 * JSON and every error is {@code {"error": "<code>", "message": "..."}}, nothing secret in an error, nothing
 * on the log's error stream, and the servlet still answers a good request afterwards.
 * <p>
 * Tries per property: {@code -Dfuzz.tries=N} (1000 by default; see the module's pom).
 */
class LocalApiFuzzTest {
    private static final String TOKEN = "fuzz-token-s3cret";
    private static final String KEY = "efk_g2dq3f8n0ravz5ff21md4cpvsmsw3q1p5d2btdndb5zya7583nxz";
    private static final String GOOD_CODE = "PROV-A1B2-C3D4";
    static final AtomicLong CASES = new AtomicLong();

    /** The servlets as the whiteboard runs them, with services that answer. */
    enum Target {
        STATUS("/api/v1/saas/status"), PROVISION_LOOPBACK_ONLY("/api/v1/saas/provision"),
        PROVISION_WITH_TOKEN("/api/v1/saas/provision"), FACTS("/api/v1/device/facts"), NOT_FOUND("/api/v1/nope"),
        ERROR_PAGE("/api/v1/saas/status");

        final String path;

        Target(String path) {
            this.path = path;
        }
    }

    private static final ProvisioningService PROVISIONING = new ProvisioningService() {
        @Override
        public DeviceCredentials provision(String code) throws ProvisioningException {
            if (!GOOD_CODE.equals(code)) {
                throw new ProvisioningException(code.startsWith("PROV-") ? "code_invalid" : "code_malformed",
                        "The provisioning code is not valid.", true);
            }
            return new DeviceCredentials("dev_fuzz", KEY.toCharArray(), Instant.parse("2027-11-28T16:03:16Z"),
                    "saas.edgx.cloud:443");
        }

        @Override
        public ProvisioningState state() {
            return new ProvisioningState(ProvisioningState.Phase.IDLE, "saas.edgx.cloud:443", null, null, 0L);
        }
    };

    private static Map<Target, HttpServlet> servlets;
    private static PrintStream originalErr;
    private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();

    @BeforeContainer
    static void start() {
        StatusServlet status = new StatusServlet();
        status.provisioning = PROVISIONING;
        status.vault = StatusJsonTest.storedVault("dev_fuzz");
        status.tunnel = () -> new TunnelState(TunnelState.Phase.ONLINE, Instant.now(), Instant.now(), null, 0L);
        servlets = Map.of(Target.STATUS, status,
                Target.PROVISION_LOOPBACK_ONLY, new ProvisionServlet(new CallerCheck(""), PROVISIONING),
                Target.PROVISION_WITH_TOKEN, new ProvisionServlet(new CallerCheck(TOKEN), PROVISIONING),
                Target.FACTS, new DeviceFactsServlet(null, null),
                Target.NOT_FOUND, new NotFoundServlet(),
                Target.ERROR_PAGE, new ErrorPageServlet());
        // slf4j-simple writes to System.err as it is at each line: whatever the servlets log lands here
        originalErr = System.err;
        System.setErr(new PrintStream(ERR, true, StandardCharsets.UTF_8));
    }

    @AfterContainer
    static void stop() {
        System.setErr(originalErr);
        String log = ERR.toString(StandardCharsets.UTF_8);
        System.out.println("LocalApiFuzzTest: " + CASES.get() + " generated requests");
        assertThat(log).as("the log after the fuzz run").doesNotContain("\tat ").doesNotContain("ERROR")
                .doesNotContain("Exception");
    }

    @Property
    void everyAnswerIsJsonAndNeverA5xx(@ForAll("targets") Target target, @ForAll("requests") Exchange.Request request)
            throws Exception {
        check(target, target == Target.ERROR_PAGE ? asErrorPage(request) : request);
    }

    /** The endpoint that reads a body, with requests that get as far as reading it. */
    @Property
    void everyBodyToProvisionIsAnsweredInJson(@ForAll("provisionBodies") byte[] body,
            @ForAll("jsonContentTypes") String contentType, @ForAll boolean withToken) throws Exception {
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        if (contentType != null) {
            headers.add(Map.entry("Content-Type", contentType));
        }
        if (withToken) {
            headers.add(Map.entry("Authorization", "Bearer " + TOKEN));
        }
        check(withToken ? Target.PROVISION_WITH_TOKEN : Target.PROVISION_LOOPBACK_ONLY, new Exchange.Request("POST",
                "/api/v1/saas/provision", null, headers, body, body.length, withToken ? "192.168.1.20" : "127.0.0.1",
                Map.of()));
    }

    private static void check(Target target, Exchange.Request sent) throws Exception {
        CASES.incrementAndGet();
        Exchange.Answer answer = Exchange.run(servlets.get(target), sent);
        String what = target + " " + sent;
        assertThat(answer.sentError()).as(what).isFalse();
        assertThat(answer.status()).as(what).isBetween(200, 499);
        String text = new String(answer.body(), StandardCharsets.UTF_8);
        boolean head = "HEAD".equalsIgnoreCase(sent.method());
        if (answer.status() == 204 || head) {
            assertThat(answer.body()).as(what).isEmpty();
        } else {
            assertThat(answer.contentType()).as(what).isEqualTo("application/json");
            Object json = JsonServlet.JSON.read(answer.body());
            if (answer.status() >= 400) {
                assertThat(json).as(what).isInstanceOf(Map.class);
                Map<?, ?> error = (Map<?, ?>) json;
                assertThat(error.get("error")).as(what).isInstanceOf(String.class);
                assertThat((String) error.get("error")).as(what).matches("[a-z_]+");
                assertThat(error.get("message")).as(what).isInstanceOf(String.class);
                net.jqwik.api.statistics.Statistics.label("answers").collect(answer.status() + " " + error.get("error"));
            } else {
                net.jqwik.api.statistics.Statistics.label("answers").collect(answer.status());
            }
        }
        if (answer.status() != 201) {
            assertThat(text).as(what).doesNotContain(KEY).doesNotContain(TOKEN);
        }
        if (answer.status() == 201) {
            assertThat(target).as(what).isIn(Target.PROVISION_LOOPBACK_ONLY, Target.PROVISION_WITH_TOKEN);
        }
    }

    @Property(tries = 1)
    void everyServletStillAnswersAfterwards() throws Exception {
        for (Target target : List.of(Target.STATUS, Target.FACTS)) {
            Exchange.Answer answer = Exchange.run(servlets.get(target), new Exchange.Request("GET", target.path, null,
                    List.of(), new byte[0], -1, "127.0.0.1", Map.of()));
            assertThat(answer.status()).isEqualTo(200);
        }
        byte[] body = ("{\"provisioning_code\": \"" + GOOD_CODE + "\"}").getBytes(StandardCharsets.UTF_8);
        Exchange.Answer provisioned = Exchange.run(servlets.get(Target.PROVISION_WITH_TOKEN), new Exchange.Request(
                "POST", "/api/v1/saas/provision", null, List.of(Map.entry("Content-Type", "application/json"),
                        Map.entry("Authorization", "Bearer " + TOKEN)), body, body.length, "192.168.1.20", Map.of()));
        assertThat(provisioned.status()).isEqualTo(201);
    }

    /** What the runtime hands its error page: a 4xx of its own, or an exception while reading the request. */
    private static Exchange.Request asErrorPage(Exchange.Request r) {
        int status = 400 + Math.floorMod(r.body().length + r.uri().length(), 100);
        Map<String, Object> attributes = r.body().length % 3 == 0
                ? Map.of(RequestDispatcher.ERROR_STATUS_CODE, status, RequestDispatcher.ERROR_REQUEST_URI, r.uri())
                : Map.of(RequestDispatcher.ERROR_STATUS_CODE, 500, RequestDispatcher.ERROR_EXCEPTION,
                        new IOException("Early EOF"), RequestDispatcher.ERROR_REQUEST_URI, r.uri());
        return new Exchange.Request(r.method(), r.uri(), r.query(), r.headers(), r.body(), r.declaredLength(),
                r.remote(), attributes);
    }

    @Provide
    Arbitrary<byte[]> provisionBodies() {
        return bodies();
    }

    @Provide
    Arbitrary<String> jsonContentTypes() {
        return Arbitraries.of(null, "application/json", "application/json; charset=UTF-8",
                "application/json; charset=UTF-32", "APPLICATION/JSON", "application/json;charset=utf-16le");
    }

    @Provide
    Arbitrary<Target> targets() {
        return Arbitraries.of(Target.class);
    }

    @Provide
    Arbitrary<Exchange.Request> requests() {
        Arbitrary<String> methods = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("PATCH", "TRACE", "CONNECT", "get", "post", "BREW", "",
                        "P\u00d6ST")),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMaxLength(40)));
        Arbitrary<String> uris = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(15, Arbitraries.of("/api/v1/saas/status", "/api/v1/saas/provision",
                        "/api/v1/device/facts", "/api/v1/", "/", "/index.html", "/api/v1/saas/%2e%2e/status",
                        "/api/v1/saas%2fstatus", "/api/v1/saas/status;jsessionid=1", "/api/v1/%00")),
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().all().ofMaxLength(300).map(s -> "/api/v1/" + s)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(4_000, 20_000)
                        .map(n -> "/api/v1/" + "a".repeat(n))));
        Arbitrary<String> queries = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(15, Arbitraries.just(null)),
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().all().ofMaxLength(200)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(8_000, 12_000).map(n -> "x=" + "q".repeat(n))));
        Arbitrary<List<Map.Entry<String, String>>> headers = header().list().ofMaxSize(12);
        Arbitrary<byte[]> bodies = bodies();
        Arbitrary<Integer> lengthChoice = Arbitraries.integers().between(0, 9);
        Arbitrary<String> remotes = Arbitraries.of("127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "192.168.1.20", "",
                "localhost", "not an address", "[::1]");
        return Combinators.combine(methods, uris, queries, headers, bodies, lengthChoice, remotes)
                .as((method, uri, query, hs, body, choice, remote) -> new Exchange.Request(method, uri, query, hs, body,
                        declared(choice, body), remote, Map.of()));
    }

    /** Mostly the true length; sometimes none, shorter, longer, huge or negative. */
    private static long declared(int choice, byte[] body) {
        return switch (choice) {
            case 0 -> -1;
            case 1 -> body.length + 10;
            case 2 -> Math.max(0, body.length - 3);
            case 3 -> 99_999_999_999L;
            case 4 -> -5;
            default -> body.length;
        };
    }

    private static Arbitrary<Map.Entry<String, String>> header() {
        Arbitrary<String> names = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.of("Content-Type", "Authorization", "Accept", "Transfer-Encoding",
                        "Content-Length", "Expect", "Host", "Connection", "content-type", "AUTHORIZATION")),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40)));
        Arbitrary<String> values = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.of("application/json", "application/json; charset=UTF-32",
                        "application/json; charset=utf-16", "text/plain", "application/jsonfoo", "*/*", "",
                        "Bearer " + TOKEN, "Bearer wrong", "bearer " + TOKEN, "Basic Zm9vOmJhcg==", "Bearer", "chunked",
                        "100-continue", "close")),
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().all().ofMaxLength(200)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1_000, 20_000).map(n -> "v".repeat(n))));
        Arbitrary<String> mostlyShort = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, values.filter(v -> v.length() < 1000)),
                net.jqwik.api.Tuple.of(1, values));
        return Combinators.combine(names, mostlyShort).as(Map::entry);
    }

    private static Arbitrary<byte[]> bodies() {
        Arbitrary<String> codes = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of("\"" + GOOD_CODE + "\"", "\"PROV-AAAA-BBBB\"", "\"\"", "12",
                        "null", "true", "[]", "{}", "[\"" + GOOD_CODE + "\"]", "1e999999", "-0",
                        "123456789012345678901234567890", "\"\\ud800\"", "\"\\u0000\"")),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMaxLength(100)
                        .map(s -> JsonServlet.JSON.writeString(s))));
        Arbitrary<String> jsonTexts = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, codes.map(c -> "{\"provisioning_code\": " + c + "}")),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMaxLength(300)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 5_000)
                        .map(n -> "{\"a\":" + "[".repeat(n) + "]".repeat(n) + "}")),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 64)
                        .map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n))),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(10_000, 40_000)
                        .map(n -> "{\"provisioning_code\": \"" + "P".repeat(n) + "\"}")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("{\"provisioning_code\": \"" + GOOD_CODE + "\"} trailing",
                        "{\"provisioning_code\": \"" + GOOD_CODE + "\", \"provisioning_code\": 1}", "{", "}", "\"",
                        "{\"a\": NaN}", "{'a': 1}", "{\"a\": 0x10}", "\ufeff{}")));
        Arbitrary<Charset> charsets = Arbitraries.of(StandardCharsets.UTF_8, StandardCharsets.UTF_8, StandardCharsets.UTF_16,
                StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, Charset.forName("UTF-32"),
                Charset.forName("UTF-32LE"), StandardCharsets.ISO_8859_1);
        Arbitrary<byte[]> encoded = Combinators.combine(jsonTexts, charsets).as((text, cs) -> text.getBytes(cs));
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
        // a valid beginning in UTF-32 or UTF-16, then bytes no decoder accepts
        Arbitrary<byte[]> broken = Combinators.combine(Arbitraries.of(
                new byte[] {0, 0, 0, '{'}, new byte[] {'{', 0, 0, 0}, new byte[] {0, '{'}, new byte[] {'{', 0},
                new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{'}, new byte[] {(byte) 0xfe, (byte) 0xff, 0, '{'},
                new byte[] {0, 0, (byte) 0xfe, (byte) 0xff}, new byte[] {'{', '"'}), randomBytes)
                .as((start, rest) -> {
                    byte[] all = new byte[start.length + rest.length];
                    System.arraycopy(start, 0, all, 0, start.length);
                    System.arraycopy(rest, 0, all, start.length, rest.length);
                    return all;
                });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, Arbitraries.just(new byte[0])),
                net.jqwik.api.Tuple.of(6, encoded), net.jqwik.api.Tuple.of(2, randomBytes),
                net.jqwik.api.Tuple.of(3, broken));
    }
}
