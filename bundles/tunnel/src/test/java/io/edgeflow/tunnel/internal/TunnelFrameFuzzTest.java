package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.websocket.api.Session;

import io.edgeflow.api.tunnel.TunnelState.Phase;
import io.edgeflow.json.JsonCodec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Thousands of generated frames from a cloud that sends nonsense, to the device end of the tunnel: bad
 * JSON, wrong types, unknown types, huge and deeply nested values, binary frames, frames over the size limit,
 * requests with every field wrong. Invariants: every frame the device sends back is one of its documented
 * frames (a heartbeat, a response, an error with a documented code); a frame that cannot be a frame is
 * answered {@code invalid_frame}, an unknown type {@code unknown_type}, one over the limit is closed with
 * 4413 and the device reconnects; nothing reaches the local API outside {@code /api/v1/}; the device still
 * carries out a good request after each frame; nothing on the log's error stream.
 * <p>
 * Tries: {@code -Dfuzz.tries=N} (1000 by default; see the module's pom).
 */
class TunnelFrameFuzzTest {
    /** The codes of docs/protocol.md for a device's error frames. */
    static final Set<String> DOCUMENTED = Set.of("invalid_frame", "unknown_type", "invalid_request", "path_not_allowed",
            "request_too_large", "busy", "local_api_unavailable", "local_timeout", "response_too_large");
    private static final JsonCodec JSON = JsonCodec.withLimits(64, 64 * 1024 * 1024);
    private static final TunnelSettings SETTINGS = new TunnelSettings(Duration.ofSeconds(5), Duration.ofMillis(50),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), 4096, 4);
    static final AtomicLong CASES = new AtomicLong();
    private static final AtomicLong PROBES = new AtomicLong();

    private static LocalApiStub localApi;
    private static FakeCloud cloud;
    private static TunnelClient client;
    private static PrintStream originalErr;
    private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();

    /**
     * One frame from the cloud.
     *
     * @param text a text frame, or null
     * @param binary a binary frame, or null
     * @param expected the error code it must be answered with, or null when several answers are right
     */
    record Frame(String text, byte[] binary, String expected) {
        boolean oversize() {
            return text != null && text.length() > SETTINGS.maxFrameChars();
        }

        @Override
        public String toString() {
            String shown = text != null ? text : "binary " + binary.length + " bytes";
            return (shown.length() > 200 ? shown.substring(0, 200) + "...(" + shown.length() + ")" : shown)
                    + " expecting " + expected;
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        originalErr = System.err;
        System.setErr(new PrintStream(ERR, true, StandardCharsets.UTF_8));
        localApi = new LocalApiStub();
        cloud = new FakeCloud(Protocol.V1, FakeCloud.hello(1, 90), FakeCloud::ack);
        client = new TunnelClient(SETTINGS, cloud, "dev_fake", new MemoryVault("dev_fake", "efk_test"), null,
                Clock.systemUTC(), b -> ThreadLocalRandom.current().nextLong(b), localApi::address);
        client.start();
        Await.until("online", Duration.ofSeconds(10), () -> client.state().phase() == Phase.ONLINE);
    }

    @AfterContainer
    static void stop() throws Exception {
        client.close();
        cloud.close();
        localApi.close();
        System.setErr(originalErr);
        System.out.println("TunnelFrameFuzzTest: " + CASES.get() + " generated frames, " + cloud.connections.get()
                + " connections");
        String log = ERR.toString(StandardCharsets.UTF_8);
        assertThat(log).as("the agent's log").doesNotContain("ERROR io.edgeflow").doesNotContain("\tat io.edgeflow");
        for (LocalApiStub.Seen seen : localApi.seen) {
            assertThat(Protocol.allowedPath(seen.path())).as(seen.path()).isTrue();
            assertThat(seen.method()).isIn(Protocol.METHODS);
            assertThat(seen.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("Authorization")
                    || h.equalsIgnoreCase("Cookie"));
        }
    }

    @Property
    void everyFrameIsAnsweredAsDocumentedAndTheTunnelStaysUp(@ForAll("frames") Frame frame) throws Exception {
        CASES.incrementAndGet();
        int before = cloud.received.size();
        int closesBefore = cloud.closeCodes.size();
        Session session = awaitSession();
        if (frame.binary() != null) {
            FakeCloud.sendBinary(session, ByteBuffer.wrap(frame.binary()));
        } else {
            FakeCloud.sendText(session, frame.text());
        }
        // the worker is alive: a frame of an unknown type with a fresh id is answered at once, after this one;
        // every 50th time a request runs through the local API as well
        String probe = CASES.get() % 50 == 0 ? awaitRequest() : awaitUnknownType();
        List<Map<String, Object>> answers = new ArrayList<>();
        // a snapshot: the fake cloud keeps appending (heartbeats) while this runs, and a CopyOnWriteArrayList's
        // subList throws ConcurrentModificationException once its list changed
        List<String> received = List.copyOf(cloud.received);
        for (String text : received.subList(before, received.size())) {
            Map<String, Object> answer;
            try {
                answer = JSON.readObject(text);
            } catch (IOException e) {
                throw new AssertionError("the device sent a frame that is not one JSON object: " + text, e);
            }
            answers.add(answer);
            Object type = answer.get("type");
            assertThat(type).as(text).isIn("heartbeat", "response", "error");
            if ("error".equals(type)) {
                assertThat(answer.get("code")).as(text).isIn(DOCUMENTED.toArray());
                assertThat(answer.get("message")).as(text).isInstanceOf(String.class);
                assertThat(answer.get("id")).as(text).satisfiesAnyOf(id -> assertThat(id).isNull(),
                        id -> assertThat(id).isInstanceOf(String.class));
                if (!probe.equals(answer.get("id"))) {
                    Statistics.label("answers").collect("error " + answer.get("code"));
                }
            } else if ("response".equals(type)) {
                assertThat(answer.get("status")).as(text).isInstanceOf(Integer.class);
                assertThat((Integer) answer.get("status")).as(text).isBetween(100, 599);
                if (!probe.equals(answer.get("id"))) {
                    Statistics.label("answers").collect("response " + answer.get("status"));
                }
            }
        }
        if (frame.oversize()) {
            Await.until("closed with 4413", Duration.ofSeconds(5), () -> cloud.closeCodes.size() > closesBefore,
                    () -> cloud.closeCodes.toString());
            assertThat(cloud.closeCodes.get(closesBefore)).as(frame.toString()).isEqualTo(Protocol.CLOSE_TOO_BIG);
            Statistics.label("answers").collect("close 4413");
        } else if (frame.expected() != null) {
            assertThat(answers).as(frame.toString()).anyMatch(a -> "error".equals(a.get("type"))
                    && frame.expected().equals(a.get("code")));
        }
    }

    /** The newest open connection of the device, waiting for one while it reconnects. */
    private static Session awaitSession() {
        Session[] found = {null};
        Await.until("a connection", Duration.ofSeconds(10), () -> (found[0] = cloud.latest()) != null
                && client.state().phase() == Phase.ONLINE, () -> client.state().toString());
        return found[0];
    }

    /** Sends a frame of a type the device does not know and waits for its answer: the device's worker is alive. */
    private static String awaitUnknownType() {
        String id = "alive-" + PROBES.incrementAndGet();
        return awaitAnswer(id, "{\"type\":\"from_the_future\",\"id\":\"" + id + "\"}", "\"code\":\"unknown_type\"");
    }

    /** Sends a good request and waits for its response, on whichever connection is up: the device still works. */
    private static String awaitRequest() {
        String id = "probe-" + PROBES.incrementAndGet();
        return awaitAnswer(id, "{\"type\":\"request\",\"id\":\"" + id
                + "\",\"method\":\"GET\",\"path\":\"/api/v1/device/facts\"}", "\"status\":200");
    }

    private static String awaitAnswer(String id, String request, String expected) {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < end) {
            Session session = awaitSession();
            FakeCloud.sendText(session, request);
            long resend = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < resend) {
                if (cloud.received.stream().anyMatch(f -> f.contains("\"id\":\"" + id + "\"") && f.contains(expected))) {
                    return id;
                }
                if (!session.isOpen()) {
                    break; // replaced: ask again on the new connection
                }
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError("the device did not answer " + id + "; state " + client.state());
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Frame> frames() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, objects().map(o -> new Frame(JSON.writeString(o), null, expectedFor(o)))),
                Tuple.of(2, objects().map(o -> JSON.writeString(o)).flatMap(TunnelFrameFuzzTest::broken)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(200).map(s -> new Frame(s, null, expectedForText(s)))),
                Tuple.of(1, Arbitraries.of("null", "[1, 2]", "\"text\"", "42", "true", "{}", "{\"type\": null}",
                        "{\"type\": {}}", "{\"type\": [\"request\"]}", "{\"type\": \"request\"} {}", "\ufeff{\"type\": 1}")
                        .map(s -> new Frame(s, null, expectedForText(s)))),
                Tuple.of(1, Arbitraries.integers().between(9, 3000).map(n -> new Frame("[".repeat(n) + "]".repeat(n),
                        null, "invalid_frame"))),
                Tuple.of(1, Arbitraries.integers().between(9, 100).map(n -> new Frame(
                        "{\"type\":\"request\",\"x\":" + "{\"a\":".repeat(n) + "1" + "}".repeat(n) + "}", null,
                        "invalid_frame"))),
                Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> new Frame(null, b,
                        "invalid_frame"))),
                Tuple.of(1, Arbitraries.integers().between(2_000, 15_000).map(n -> new Frame(
                        "{\"type\":\"request\",\"id\":\"big\",\"method\":\"POST\",\"path\":\"/api/v1/echo\",\"body\":\""
                                + "AAAA".repeat(n) + "\"}", null, "request_too_large"))),
                Tuple.of(1, Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)), Tuple.of(20, Arbitraries.just(1)))
                        .flatMap(kind -> kind == 0
                                ? Arbitraries.integers().between(80_000, 200_000).map(n -> new Frame(
                                        "{\"type\":\"request\",\"body\":\"" + "A".repeat(n) + "\"}", null, null))
                                : Arbitraries.just(new Frame("{\"type\":\"heartbeat_ack\",\"seq\":-1}", null, null)))));
    }

    /** The answer a frame built from a JSON object must get, where only one is right. */
    private static String expectedFor(Map<String, Object> frame) {
        Object type = frame.get("type");
        if (!(type instanceof String t)) {
            return "invalid_frame";
        }
        return switch (t) {
            case "hello", "heartbeat_ack", "error", "request" -> null;
            default -> "unknown_type";
        };
    }

    private static String expectedForText(String text) {
        try {
            Map<String, Object> frame = JsonCodec.withLimits(8, 32 * 1024 * 1024).readObject(text);
            return expectedFor(frame);
        } catch (IOException e) {
            return "invalid_frame";
        }
    }

    /** A frame cut short, with garbage after it, or in a form no parser takes. */
    private static Arbitrary<Frame> broken(String json) {
        return Arbitraries.of(json.substring(0, json.length() / 2), json + "}", json + " trailing", json.replace('"', '\''),
                json.replace(":", "=")).map(s -> new Frame(s, null, expectedForText(s)));
    }

    private static Arbitrary<Map<String, Object>> objects() {
        Arbitrary<Object> types = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just("request")),
                Tuple.of(6, Arbitraries.of("hello", "heartbeat_ack", "error", "response", "heartbeat", "", "REQUEST",
                        "future_thing")),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(30).map(s -> (Object) s)),
                Tuple.of(1, values()));
        Arbitrary<Object> ids = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(10).map(s -> (Object) s)),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(60).ofMaxLength(200).map(s -> (Object) s)),
                Tuple.of(2, values()));
        Arbitrary<Object> methods = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of("GET", "POST", "PUT", "DELETE")),
                Tuple.of(2, Arbitraries.of("PATCH", "get", "", "HEAD", "TRACE", "CONNECT")), Tuple.of(1, values()));
        Arbitrary<Object> paths = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("/api/v1/device/facts", "/api/v1/echo", "/api/v1/teapot", "/api/v1/big",
                        "/api/v1/locked", "/api/v1/nope?x=1", "/api/v1/saas/status")),
                Tuple.of(4, Arbitraries.of("/etc/passwd", "/api/v1/../x", "/api/v1/%2e%2e/x", "/api/v1//x", "/api/v1/a\\b",
                        "/api/v2/x", "api/v1/x", "/api/v1/%2F", "/api/v1/x#y", "/api/v1/ x", "/api/v1/\u0000",
                        "/api/v1/./x", "//api/v1/x", "/API/V1/x", "/api/v1/\u00e9")),
                Tuple.of(3, Arbitraries.strings().all().ofMaxLength(100).map(s -> (Object) ("/api/v1/" + s))),
                Tuple.of(1, Arbitraries.integers().between(2000, 3000).map(n -> (Object) ("/api/v1/" + "p".repeat(n)))),
                Tuple.of(1, values()));
        Arbitrary<Object> headers = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.maps(Arbitraries.of("content-type", "Content-Type", "accept", "authorization",
                        "cookie", "host", "x-anything"), values()).ofMaxSize(5).map(m -> (Object) m)),
                Tuple.of(1, values()));
        Arbitrary<Object> bodies = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(null)),
                Tuple.of(4, Arbitraries.bytes().array(byte[].class).ofMaxSize(2000)
                        .map(b -> (Object) Base64.getEncoder().encodeToString(b))),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(100).map(s -> (Object) s)),
                Tuple.of(1, values()));
        Arbitrary<Object> timeouts = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(null)),
                Tuple.of(2, Arbitraries.longs().map(l -> (Object) l)), Tuple.of(1, values()));
        Arbitrary<Map<String, Object>> extra = Arbitraries.maps(Arbitraries.of("protocol", "seq", "code", "message",
                "status", "heartbeat_timeout_seconds", "server_time", "max_body_bytes", "unknown_field"), values())
                .ofMaxSize(4);
        return Combinators.combine(types, ids, methods, paths, headers, bodies, timeouts, extra)
                .as((type, id, method, path, hs, body, timeout, more) -> {
                    Map<String, Object> frame = new LinkedHashMap<>(more);
                    frame.put("type", type);
                    putSometimes(frame, "id", id, 9);
                    putSometimes(frame, "method", method, 9);
                    putSometimes(frame, "path", path, 9);
                    putSometimes(frame, "headers", hs, 5);
                    putSometimes(frame, "body", body, 7);
                    putSometimes(frame, "timeout_ms", timeout, 5);
                    return frame;
                });
    }

    /** Leaves a field out about one time in ten, whatever its value. */
    private static void putSometimes(Map<String, Object> frame, String name, Object value, int inTen) {
        if (Math.floorMod(String.valueOf(value).hashCode() + name.hashCode(), 10) < inTen) {
            frame.put(name, value);
        }
    }

    /** A JSON value of any type: wrong types, extremes, long strings, nesting. */
    private static Arbitrary<Object> values() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().all().ofMaxLength(50).map(s -> (Object) s)),
                Tuple.of(2, Arbitraries.longs().map(l -> (Object) l)),
                Tuple.of(1, Arbitraries.of(0, -1, 1, Integer.MAX_VALUE, Long.MIN_VALUE, 1e308, -0.0, 0.5,
                        new java.math.BigInteger("123456789012345678901234567890"), true, false)),
                Tuple.of(1, Arbitraries.just(null)),
                Tuple.of(1, Arbitraries.of(List.of(), List.of(1, "two"), Map.of(), Map.of("a", List.of(Map.of("b", 1))))),
                Tuple.of(1, Arbitraries.integers().between(1_000, 8_000).map(n -> (Object) "v".repeat(n))));
    }
}
