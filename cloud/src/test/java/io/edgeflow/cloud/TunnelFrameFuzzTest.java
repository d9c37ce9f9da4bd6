package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.ConnectionLimits;
import io.edgeflow.cloud.tunnel.TunnelSettings;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The fuzz suite of the cloud's end of the tunnel: an authenticated device sends generated frames (text
 * that is not JSON or not an object, wrong types, huge ids and values, unknown types, binary frames,
 * fragments, pings, answers to requests never sent, answered twice, or malformed) while operators'
 * requests through the tunnel are under way. Whatever it sends, the tunnel stays open and answers the next
 * heartbeat, every frame the cloud sends is JSON, every operator's request gets a status from 200 to 599
 * in time (never a 1xx; the cloud's own errors as JSON), the log holds no stack trace, the server answers.
 */
class TunnelFrameFuzzTest {
    static Path dir;
    static TestCloud cloud;
    static LogCapture log;
    static String deviceId;
    /** The device whose handshakes are fuzzed: one that succeeds replaces its previous tunnel (4409). */
    static String handshakeId;
    static String handshakeKey;
    static SimulatedDevice device;
    static final AtomicLong frames = new AtomicLong();
    static final AtomicLong seq = new AtomicLong(1_000);
    static int logChecked;

    /** One thing the device does. */
    interface Action {
    }

    /** A text frame. */
    record Text(String text) implements Action {
        @Override
        public String toString() {
            return "text " + (text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + ")" : text);
        }
    }

    /** A binary frame of this many bytes. */
    record Binary(int size) implements Action {
    }

    /** A ping with this payload. */
    record Ping(int size) implements Action {
    }

    /** A text message sent in parts. */
    record Fragments(List<String> parts) implements Action {
    }

    /**
     * An operator's request through the tunnel (the device sees a request frame), which the device answers at
     * once with these response fields, or leaves unanswered (null: the operator gets 504).
     */
    record Call(String method, String answer) implements Action {
    }

    /** The device answers the latest request with these fields (or sends them with another id). */
    record Answer(String fields, boolean rightId) implements Action {
    }

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("tunnel-fuzz");
        log = LogCapture.start();
        // no limit on connections per address (the handshake property opens hundreds a second), and an idle
        // timeout longer than any run (the device beats only at the end of each try)
        cloud = new TestCloud(dir.resolve("data"), CloudSettings.DEFAULTS, TunnelSettings.DEFAULTS
                .withRequestTimeout(Duration.ofMillis(300)).withMaxBodyBytes(4096).withIdleTimeout(Duration.ofHours(1)),
                ConnectionLimits.DEFAULTS.withPerAddress(0, 0));
        TestCloud.Answer d = cloud.provisionDevice();
        deviceId = d.text("device_id");
        device = SimulatedDevice.connect(cloud, deviceId, d.text("api_key"));
        TestCloud.Answer other = cloud.provisionDevice();
        handshakeId = other.text("device_id");
        handshakeKey = other.text("api_key");
        device.next("hello");
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
            assertThat(log.stackTraceLines()).as("stack traces in the log").isEmpty();
            System.out.println("Cloud tunnel fuzz: " + frames.get() + " generated frames and requests");
        } finally {
            device.close();
            cloud.close();
            log.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterProperty
    void noStackTraceInTheLog() {
        List<String> lines = log.lines();
        List<String> fresh = lines.subList(Math.min(logChecked, lines.size()), lines.size());
        logChecked = lines.size();
        assertThat(fresh).as("log lines with a stack trace or an ERROR")
                .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:") || l.contains(" ERROR "));
    }

    // ------------------------------------------------------------------ frames

    static Arbitrary<String> typeValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("\"heartbeat\"", "\"response\"", "\"error\"", "\"hello\"", "\"heartbeat_ack\"",
                        "\"request\"", "\"teleport\"", "\"\"", "\"HEARTBEAT\"", "\"heartbeat \"", "null", "12", "[]",
                        "{}", "true", "\"" + "t".repeat(10_000) + "\""),
                FuzzInputs.text(20).map(FuzzInputs::quote));
    }

    static Arbitrary<String> idValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("\"1\"", "\"0\"", "\"-1\"", "\"\"", "1", "null", "[]", "{}", "1e999", "\"99999999999999999999\"",
                        "\"" + "9".repeat(64) + "\"", "\"" + "9".repeat(65) + "\"", "\"" + "i".repeat(30_000) + "\""),
                Arbitraries.longs().map(String::valueOf),
                FuzzInputs.text(70).map(FuzzInputs::quote));
    }

    static Arbitrary<String> statusValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("100", "101", "103", "199", "200", "204", "304", "404", "500", "599", "600", "0", "-1",
                        "200.5", "2e2", "\"200\"", "null", "[]", "{}", "true", "2147483648", "1e400"),
                Arbitraries.integers().map(String::valueOf));
    }

    static Arbitrary<String> headersValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("{}", "null", "[]", "\"x\"", "1", "{\"content-type\":\"application/json\"}",
                        "{\"Content-Type\":\"text/html\"}", "{\"CONTENT-TYPE\":\"a/b\",\"content-type\":\"c/d\"}",
                        "{\"content-type\":\"a\\r\\nSet-Cookie: x=1\"}", "{\"content-type\":\"\\u0000\\u2028\"}",
                        "{\"retry-after\":\"" + "9".repeat(5000) + "\"}", "{\"allow\":[\"GET\"]}", "{\"content-type\":1}",
                        "{\"set-cookie\":\"a=b\",\"location\":\"http://evil.example\"}",
                        "{\"content-length\":\"999999\",\"transfer-encoding\":\"chunked\"}", "{\"\":\"\"}"),
                Combinators.combine(FuzzInputs.text(20), FuzzInputs.jsonValue(1))
                        .as((k, v) -> "{" + FuzzInputs.quote(k) + ":" + v + "}"));
    }

    static Arbitrary<String> bodyValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("null", "\"\"", "\"e30=\"", "\"e30\"", "\"***\"", "\"====\"", "12", "{}", "[]", "true",
                        "\"" + Base64.getEncoder().encodeToString(new byte[4096]) + "\"",
                        "\"" + Base64.getEncoder().encodeToString(new byte[4097]) + "\"",
                        "\"" + Base64.getEncoder().encodeToString(new byte[40_000]) + "\"",
                        "\"" + Base64.getMimeEncoder().encodeToString(new byte[300]).replace("\r\n", "\\r\\n") + "\""),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(5000)
                        .map(b -> "\"" + Base64.getEncoder().encodeToString(b) + "\""),
                FuzzInputs.text(50).map(FuzzInputs::quote));
    }

    /** A frame object with the protocol's fields, each of any type, or other fields. */
    static Arbitrary<String> frameObject() {
        Arbitrary<String> field = Arbitraries.oneOf(
                idValue().map(v -> "\"id\":" + v),
                Arbitraries.oneOf(Arbitraries.of("1", "-1", "0", "9223372036854775807", "9223372036854775808", "1.5",
                        "\"1\"", "null", "1e999", "[1]")).map(v -> "\"seq\":" + v),
                statusValue().map(v -> "\"status\":" + v),
                headersValue().map(v -> "\"headers\":" + v),
                bodyValue().map(v -> "\"body\":" + v),
                FuzzInputs.jsonValue(1).map(v -> "\"code\":" + v),
                Arbitraries.oneOf(FuzzInputs.jsonValue(1), Arbitraries.of("\"" + "m\\n".repeat(3000) + "\""))
                        .map(v -> "\"message\":" + v),
                FuzzInputs.jsonValue(2).map(v -> "\"sent_at\":" + v),
                Combinators.combine(FuzzInputs.fieldName(), FuzzInputs.jsonValue(2))
                        .as((k, v) -> FuzzInputs.quote(k) + ":" + v));
        return Combinators.combine(typeValue(), field.list().ofMaxSize(6))
                .as((t, fields) -> {
                    List<String> all = new ArrayList<>();
                    all.add("\"type\":" + t);
                    all.addAll(fields);
                    return "{" + String.join(",", all) + "}";
                });
    }

    static Arbitrary<Action> action() {
        // every message within the cloud's limit for a 4096-byte body (71,000 bytes): a larger one closes
        // the tunnel with 1009, as documented (TunnelAsDocumentedTest)
        Arbitrary<String> text = Arbitraries.oneOf(
                frameObject(),
                frameObject(),
                FuzzInputs.malformedJson(),
                FuzzInputs.hugeJson(),
                FuzzInputs.text(300)).filter(t -> FuzzInputs.wellFormed(t) && utf8Length(t) <= 70_000);
        return Arbitraries.frequencyOf(
                Tuple.of(10, text.map(Text::new)),
                Tuple.of(1, Arbitraries.integers().between(0, 65_536).map(Binary::new)),
                Tuple.of(1, Arbitraries.integers().between(0, 125).map(Ping::new)),
                Tuple.of(1, text.list().ofMinSize(2).ofMaxSize(4)
                        .filter(l -> l.stream().mapToInt(TunnelFrameFuzzTest::utf8Length).sum() <= 70_000)
                        .map(Fragments::new)),
                Tuple.of(3, Combinators.combine(Arbitraries.of("GET", "POST", "PUT", "DELETE"),
                        Arbitraries.frequencyOf(Tuple.of(4, responseFields()), Tuple.of(1, Arbitraries.just(null))))
                        .as(Call::new)),
                Tuple.of(1, Combinators.combine(responseFields(), Arbitraries.of(true, false)).as(Answer::new)));
    }

    /** The fields of a response frame after its id: often a valid answer, often not. */
    static Arbitrary<String> responseFields() {
        Arbitrary<String> status = Arbitraries.frequencyOf(Tuple.of(1, statusValue()),
                Tuple.of(1, Arbitraries.of("200", "201", "204", "400", "404", "503")));
        return Combinators.combine(status, headersValue(), bodyValue())
                .as((st, h, b) -> "\"status\":" + st + ",\"headers\":" + h + ",\"body\":" + b)
                .filter(f -> FuzzInputs.wellFormed(f) && utf8Length(f) <= 70_000);
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        return action().list().ofMinSize(1).ofMaxSize(6);
    }

    @Property
    void nothingADeviceSendsBreaksTheTunnel(@ForAll("actions") List<Action> actions) throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
        String lastRequestId = null;
        for (Action a : actions) {
            frames.incrementAndGet();
            Statistics.label("action").collect(a.getClass().getSimpleName());
            if (a instanceof Text t) {
                device.send(t.text());
            } else if (a instanceof Binary b) {
                device.ws.sendBinary(ByteBuffer.allocate(b.size()), true).get(5, TimeUnit.SECONDS);
            } else if (a instanceof Ping p) {
                device.ws.sendPing(ByteBuffer.allocate(p.size())).get(5, TimeUnit.SECONDS);
            } else if (a instanceof Fragments f) {
                for (int i = 0; i < f.parts().size(); i++) {
                    device.ws.sendText(f.parts().get(i), i == f.parts().size() - 1).get(5, TimeUnit.SECONDS);
                }
            } else if (a instanceof Call c) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(cloud.url() + "/api/v1/admin/devices/" + deviceId
                        + "/local/api/v1/device/facts")).timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + cloud.adminToken).header("Content-Type", "application/json")
                        .method(c.method(), "GET".equals(c.method()) ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString("{}"))
                        .build();
                calls.add(cloud.http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
                lastRequestId = nextOfType("request").path("id").asText();
                if (c.answer() != null) {
                    device.send("{\"type\":\"response\",\"id\":" + FuzzInputs.quote(lastRequestId) + "," + c.answer() + "}");
                }
            } else if (a instanceof Answer r) {
                device.send("{\"type\":\"response\",\"id\":"
                        + (r.rightId() && lastRequestId != null ? FuzzInputs.quote(lastRequestId) : "\"no-such-request\"")
                        + "," + r.fields() + "}");
            }
        }
        // the tunnel is still up and answers at once
        long s = seq.incrementAndGet();
        device.send("{\"type\":\"heartbeat\",\"seq\":" + s + "}");
        JsonNode ack;
        do {
            ack = nextOfType("heartbeat_ack");
        } while (ack.path("seq").asLong() != s);
        assertThat(device.closed).as("the tunnel stays open after " + actions).isNotDone();
        for (CompletableFuture<HttpResponse<byte[]>> call : calls) {
            HttpResponse<byte[]> answer = call.get(10, TimeUnit.SECONDS);
            String type = answer.headers().firstValue("content-type").orElse("");
            String what = answer.statusCode() + " " + type + " " + utf8(answer.body());
            Statistics.label("remote answer").collect(answer.statusCode());
            assertThat(answer.statusCode()).as("a final status: " + what).isBetween(200, 599);
            if (answer.statusCode() >= 500 && type.startsWith("application/json") && utf8(answer.body()).contains("\"error\"")) {
                assertThat(answer.statusCode()).as("the cloud's own 5xx: " + what).isIn(502, 503, 504);
            }
        }
    }

    /** An opening handshake: the device id header, the Authorization header, the offered sub-protocols. */
    record Handshake(String deviceId, String authorization, List<String> protocols) {
    }

    @Provide
    Arbitrary<Handshake> handshakes() {
        Arbitrary<String> id = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just("{device}")),
                Tuple.of(1, Arbitraries.just(null)), Tuple.of(2, Arbitraries.of(" {device} ", "{device}x", "DEV_X", "", " ",
                        "dev_" + "x".repeat(5000))), Tuple.of(2, FuzzInputs.text(80)));
        Arbitrary<String> auth = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just("Bearer {key}")),
                Tuple.of(1, Arbitraries.just(null)), Tuple.of(3, FuzzInputs.authorization(List.of("{key}"))));
        Arbitrary<String> protocol = Arbitraries.oneOf(Arbitraries.of("edgeflow.tunnel.v1", "edgeflow.tunnel.v2",
                "EDGEFLOW.TUNNEL.V1", "edgeflow.tunnel.v1 ", "v1", "chat"),
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz.0123456789-").ofMinLength(1).ofMaxLength(30));
        Arbitrary<List<String>> protocols = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(List.of("edgeflow.tunnel.v1"))), Tuple.of(3, protocol.list().ofMaxSize(3)));
        return Combinators.combine(id, auth, protocols).as(Handshake::new);
    }

    @Property
    void aHandshakeThatIsNotRightIsRefusedWithAClearStatus(@ForAll("handshakes") Handshake h) throws Exception {
        frames.incrementAndGet();
        String id = h.deviceId() == null ? null : h.deviceId().replace("{device}", handshakeId);
        String auth = h.authorization() == null ? null : h.authorization().replace("{key}", handshakeKey);
        java.net.http.WebSocket.Builder builder = cloud.http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        try {
            if (id != null) {
                builder.header("X-EdgeFlow-Device-Id", id);
            }
            if (auth != null) {
                builder.header("Authorization", auth);
            }
            if (!h.protocols().isEmpty()) {
                builder.subprotocols(h.protocols().get(0), h.protocols().subList(1, h.protocols().size())
                        .toArray(new String[0]));
            }
        } catch (IllegalArgumentException refusedByClient) {
            Statistics.label("handshake").collect("not sent: the JDK's client refuses it");
            return;
        }
        java.net.http.WebSocket ws;
        try {
            ws = builder.buildAsync(URI.create(cloud.url().replace("https://", "wss://") + "/api/v1/tunnel"),
                    new java.net.http.WebSocket.Listener() {
                    }).get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException) {
                Statistics.label("handshake").collect("not sent: the JDK's client refuses it");
                return;
            }
            assertThat(e.getCause()).as(h.toString()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
            int status = ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
            Statistics.label("handshake").collect(status);
            // 431: a device id and a key of thousands of characters are more header than the server reads
            assertThat(status).as(h.toString()).isIn(400, 401, 431);
            return;
        }
        // accepted: only the device's own id, its key and our protocol; the cloud's hello comes first
        Statistics.label("handshake").collect(101);
        ws.abort();
        assertThat(id == null ? null : id.trim()).as(h.toString()).isEqualTo(handshakeId);
        assertThat(h.protocols()).as(h.toString()).contains("edgeflow.tunnel.v1");
    }

    /** The next frame of a type; every frame the cloud sends on the way must be JSON. */
    static JsonNode nextOfType(String type) throws InterruptedException {
        while (true) {
            JsonNode f = device.frames.poll(10, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no '" + type + "' frame within 10 s; tunnel " + (device.closed.isDone()
                        ? "closed: " + device.closed.getNow("") : "open"));
            }
            assertThat(f.has("unparseable")).as("a frame from the cloud that is not JSON: " + f).isFalse();
            assertThat(f.path("type").isTextual()).as("a frame with a type: " + f).isTrue();
            if (type.equals(f.path("type").asText())) {
                return f;
            }
        }
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
