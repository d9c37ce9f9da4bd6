package io.edgeflow.cloud;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * What the fuzz suite sends: the generators of JSON (valid, of the wrong shape, malformed, huge, deeply
 * nested), of bodies in odd encodings, of methods, paths, query strings and header values. Shared by the
 * HTTP and the tunnel fuzz tests.
 */
final class FuzzInputs {
    private FuzzInputs() {
    }

    /** Characters that any sender can put in a Java string: no lone surrogates (they cannot be encoded). */
    static Arbitrary<String> text(int maxLength) {
        return Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().ofMaxLength(maxLength),
                Arbitraries.strings().withCharRange('\u0000', '\u007f').ofMaxLength(maxLength),
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff')
                        .ofMaxLength(maxLength),
                Arbitraries.of("", " ", "\r\n", "\u0000", "\u2028\u2029", "\u202e", "\\", "\"", "'", "%00", "%2e%2e",
                        "../..", "${jndi:ldap://x}", "PROV-A1B2-C3D4", "efk_", "null", "true", "-1", "1e999",
                        "\ud83d\ude00", "\u00ff\u00fe", "\ufeff"));
    }

    /** A JSON value as text: scalars of every type, strings with escapes, arrays and objects, nested. */
    static Arbitrary<String> jsonValue(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-0", "1", "-1", "1.5", "1e3", "-1e-7",
                        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e308", "1e400",
                        "123456789012345678901234567890", "0.0000000000000000000001", "\"\""),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                text(40).map(FuzzInputs::quote));
        if (depth <= 0) {
            return scalar;
        }
        Arbitrary<String> array = jsonValue(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> object = Combinators.combine(fieldName(), jsonValue(depth - 1)).as((k, v) -> quote(k) + ":" + v)
                .list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(1, object));
    }

    /** Field names of the cloud's bodies and frames, and others. */
    static Arbitrary<String> fieldName() {
        return Arbitraries.oneOf(
                Arbitraries.of("provisioning_code", "request_id", "hardware", "network", "ttl_seconds", "label",
                        "type", "id", "seq", "status", "headers", "body", "code", "message", "sent_at", "hostname",
                        "content-type", "Content-Type", "__proto__", ""),
                text(12));
    }

    /** A JSON object that has the cloud's field names with values of any type. */
    static Arbitrary<String> jsonObject() {
        return Combinators.combine(fieldName(), jsonValue(2)).as((k, v) -> quote(k) + ":" + v).list().ofMaxSize(6)
                .map(l -> "{" + String.join(",", l) + "}");
    }

    /** Text that is not JSON, or not one JSON object. */
    static Arbitrary<String> malformedJson() {
        return Arbitraries.oneOf(
                Arbitraries.of("{", "}", "{\"a\":", "{\"a\" 1}", "{'a': 1}", "{a: 1}", "[", "[1,]", "{\"a\":1,}",
                        "{\"a\":1}}", "{\"a\":1} {\"b\":2}", "nul", "tru", "\"unterminated", "{\"a\":\"\\u12\"}",
                        "{\"a\":\"\\x41\"}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":Infinity}", "/* c */ {}",
                        "{\"a\":1 // c\n}", "\u0000", "\ufeff{}", "{}\u0000", " ", "\t\r\n"),
                text(200),
                jsonObject().map(s -> s.substring(0, s.length() / 2)),
                jsonValue(1));
    }

    /** Very deep nesting, many fields, long strings and numbers: the parser's limits. */
    static Arbitrary<String> hugeJson() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(500, 20_000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Arbitraries.integers().between(500, 5_000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
                Arbitraries.integers().between(500, 5_000).map(n -> "[".repeat(n)),
                Arbitraries.integers().between(1_000, 30_000).map(n -> "{\"label\":\"" + "x".repeat(n) + "\"}"),
                Arbitraries.integers().between(1_000, 5_000).map(n -> "{\"ttl_seconds\":" + "9".repeat(n) + "}"),
                Arbitraries.integers().between(100, 3_000).map(n -> {
                    StringBuilder b = new StringBuilder("{");
                    for (int i = 0; i < n; i++) {
                        b.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
                    }
                    return b.append('}').toString();
                }));
    }

    /** A registration body close to a real one, with one part changed. */
    static Arbitrary<String> registrationLike() {
        return Combinators.combine(
                Arbitraries.oneOf(Arbitraries.of("\"PROV-A1B2-C3D4\"", "\"PROV-0000-0000\"", "\"prova1b2c3d4\"",
                        "\"PROV-12\"", "\"PROV-IIII-OOOO\""), jsonValue(1)),
                Arbitraries.oneOf(Arbitraries.of("\"3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c\"", "\"not-a-uuid\""),
                        jsonValue(1)),
                Arbitraries.oneOf(Arbitraries.of("{\"board_model\":\"Pi\"}"), jsonValue(2)),
                Arbitraries.oneOf(Arbitraries.of("{\"hostname\":\"pi\"}"), jsonValue(2)))
                .as((code, id, hw, net) -> "{\"provisioning_code\":" + code + ",\"request_id\":" + id
                        + ",\"hardware\":" + hw + ",\"network\":" + net + "}");
    }

    /** A body as bytes: JSON of every kind in UTF-8, in other encodings, invalid byte sequences, noise. */
    static Arbitrary<byte[]> body() {
        Arbitrary<String> json = Arbitraries.oneOf(jsonObject(), malformedJson(), registrationLike(), hugeJson());
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, json.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                net.jqwik.api.Tuple.of(2, Combinators.combine(json, Arbitraries.of(StandardCharsets.UTF_16,
                        StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, Charset.forName("UTF-32"),
                        Charset.forName("UTF-32LE"), StandardCharsets.ISO_8859_1)).as(String::getBytes)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(json, invalidBytes()).as((s, bad) -> {
                    byte[] text = s.getBytes(StandardCharsets.UTF_8);
                    byte[] out = new byte[text.length + bad.length];
                    int cut = text.length / 2;
                    System.arraycopy(text, 0, out, 0, cut);
                    System.arraycopy(bad, 0, out, cut, bad.length);
                    System.arraycopy(text, cut, out, cut + bad.length, text.length - cut);
                    return out;
                })),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(3000)));
    }

    /** Byte sequences that are not UTF-8 (nor valid UTF-16 or UTF-32). */
    static Arbitrary<byte[]> invalidBytes() {
        return Arbitraries.of(
                new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc0, (byte) 0xae}, new byte[] {(byte) 0xe2, (byte) 0x82},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xf4, (byte) 0x90, 0, 0},
                new byte[] {0, 0, (byte) 0xfe, (byte) 0xff, 0x7f, 0x7f}, new byte[] {(byte) 0xd8, 0x00},
                new byte[] {0x00, 0x11, 0x00, 0x00}, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80});
    }

    /** Content types, right and wrong. */
    static Arbitrary<String> contentType() {
        return Arbitraries.oneOf(
                Arbitraries.of("application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                        "application/json; charset=utf-16", "application/json; charset=utf-32",
                        "application/json;charset=\"UTF-8\"", "application/jsonfoo", "text/plain", "application/xml",
                        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*", ";", "",
                        "application/json; charset=nonsense", "application/json; charset="),
                text(40).filter(FuzzInputs::headerSafe));
    }

    /** Values of the Authorization header: right, wrong, odd. */
    static Arbitrary<String> authorization(List<String> goodTokens) {
        return Arbitraries.oneOf(
                Arbitraries.of(goodTokens).map(t -> "Bearer " + t),
                Arbitraries.of(goodTokens).map(t -> "bearer  " + t + " "),
                Arbitraries.of("Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Bearer efk_", "Bearer efk_" + "a".repeat(52),
                        "Bearer " + "x".repeat(5000), "Token abc", "Bearer efk_\u00ff"),
                text(60).filter(FuzzInputs::headerSafe).map(t -> "Bearer " + t));
    }

    /** A path segment that stands where an identifier goes. */
    static Arbitrary<String> idSegment(List<String> realIds) {
        return Arbitraries.oneOf(
                Arbitraries.of(realIds),
                Arbitraries.of("x", "dev_", "pc_", "0", "-1", "%2e%2e", "%2E", "..", ".", "%2f", "a%2fb", "%00", "%25",
                        "%ff", "%c0%ae", "%u002e", "a;b", "a;jsessionid=1", "%3f", "%23", "~", "@", "dev_x%0a",
                        "dev_x%0d%0aX-Injected:%201", "%e2%80%a8", "x".repeat(300), "x".repeat(9000)),
                Arbitraries.strings().alpha().numeric().withChars('_', '-', '.', '~').ofMinLength(1).ofMaxLength(70),
                text(30).map(FuzzInputs::percentEncode));
    }

    /** A query string (without the '?'), often with the admin API's parameters. */
    static Arbitrary<String> query() {
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of("1", "0", "-1", "1000", "1001", "99999999999999999999", "abc", "", "1.5", "%00", "%zz",
                        "active", "claimed", "consumed", "expired", "revoked"),
                text(20).map(FuzzInputs::percentEncode));
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("limit", "state", "before", "x", "", "limit[]"),
                text(8).map(FuzzInputs::percentEncode));
        return Combinators.combine(name, value).as((n, v) -> n + "=" + v).list().ofMaxSize(4)
                .map(l -> String.join("&", l));
    }

    /** Methods, real and invented. */
    static Arbitrary<String> method() {
        return Arbitraries.oneOf(
                Arbitraries.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
                        "PROPFIND", "MKCOL", "get", "Post", "BREW", "X", "GETS", "M-SEARCH", "PRI"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20),
                Arbitraries.strings().withChars("!#$%&'*+-.^_`|~").ofMinLength(1).ofMaxLength(5),
                Arbitraries.of("G\u00c9T", "GET\u0000", "GE T", "a".repeat(5000)));
    }

    /** Header lines (name: value) a client could send, some of them malformed. */
    static Arbitrary<String> headerLine() {
        return Arbitraries.oneOf(
                Arbitraries.of("Expect: 100-continue", "Expect: nonsense", "Accept: */*", "Accept: text/html",
                        "Accept-Encoding: gzip, br", "Accept-Charset: utf-32", "Content-Encoding: gzip",
                        "Content-Encoding: x", "Transfer-Encoding: gzip", "Range: bytes=0-1", "If-None-Match: *",
                        "Origin: https://evil.example", "X-Forwarded-For: 10.0.0.1", "Forwarded: for=10.0.0.1",
                        "Upgrade: websocket", "Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings",
                        "HTTP2-Settings: AAMAAABkAAQAAP__", "Sec-WebSocket-Version: 13",
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol: edgeflow.tunnel.v1",
                        "Sec-WebSocket-Protocol: edgeflow.tunnel.v9, ,", "X-EdgeFlow-Device-Id: dev_x",
                        "X-EdgeFlow-Device-Id: " + "y".repeat(3000), "Cookie: a=b", "Authorization: Bearer",
                        "Content-Length: 0", "Content-Length: 5", "Content-Length: -1", "Content-Length: 1e3",
                        "Content-Length: 99999999999999999999", "Transfer-Encoding: chunked",
                        "Transfer-Encoding: chunked, identity", "X-Long: " + "z".repeat(7000), "X-Obs:\ttab",
                        "X-Latin: caf\u00e9", "X-Empty:", ": no-name", "X-Space : x", "Bad Name: x",
                        "X-Fold: a\r\n b", "Host: other.example", "Host: ", "Date: yesterday"),
                Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20),
                        text(80).filter(FuzzInputs::headerSafe)).as((n, v) -> "X-" + n + ": " + v));
    }

    /** True for text that does not end a header line (the raw sender writes it as ISO-8859-1). */
    static boolean headerSafe(String s) {
        return s.chars().noneMatch(c -> c == '\r' || c == '\n' || c > 0xff);
    }

    /** True for a string without a lone surrogate: a WebSocket client can send it as text. */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String percentEncode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }
}
