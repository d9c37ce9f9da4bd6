package io.edgeflow.http.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class JsonBodyTest {
    private static ByteArrayInputStream body(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ApiError error(String s) {
        try {
            JsonServlet.parseJsonObject(body(s));
        } catch (ApiError e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error for " + s);
    }

    @Test
    void acceptsOneJsonObject() throws Exception {
        assertThat(JsonServlet.parseJsonObject(body("{\"provisioning_code\": \"PROV-A1B2-C3D4\"}"))
                .get("provisioning_code")).isEqualTo("PROV-A1B2-C3D4");
    }

    @Test
    void malformedBodiesAre400WithACode() {
        assertThat(error("").status()).isEqualTo(400);
        assertThat(error("").code()).isEqualTo("invalid_body");
        assertThat(error("{not json").code()).isEqualTo("invalid_json");
        assertThat(error("{not json").getMessage()).contains("line 1");
        assertThat(error("[1,2]").code()).isEqualTo("invalid_body");
        assertThat(error("\"text\"").code()).isEqualTo("invalid_body");
        assertThat(error("{} {}").code()).isEqualTo("invalid_json");
        assertThat(error("\u0000\u0001").status()).isEqualTo(400);
    }

    @Test
    void bodiesInUtf32WithInvalidCodePointsAre400NotAnIoFailure() {
        // "{" in UTF-32BE, then a code point beyond U+10FFFF: Jackson's UTF-32 reader throws a
        // CharConversionException, an IOException that is not a JsonProcessingException
        byte[] utf32 = {0, 0, 0, '{', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, '}'};
        // the same in little-endian order, and a truncated UTF-32 body
        byte[] utf32le = {'{', 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, '}', 0, 0, 0};
        byte[] truncated = {0, 0, 0, '{', 0, 0, 0, '"', 0, 0};
        for (byte[] bytes : new byte[][] {utf32, utf32le, truncated}) {
            ApiError e;
            try {
                JsonServlet.parseJsonObject(new ByteArrayInputStream(bytes));
                throw new AssertionError("no error for " + java.util.Arrays.toString(bytes));
            } catch (ApiError expected) {
                e = expected;
            } catch (Exception other) {
                throw new AssertionError("not an ApiError: " + other, other);
            }
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_json");
        }
    }

    @Test
    void oversizedBodiesAre413() {
        ApiError e = error("{\"a\":\"" + "x".repeat(JsonServlet.MAX_BODY_BYTES) + "\"}");
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.code()).isEqualTo("body_too_large");
    }

    @Test
    void deeplyNestedBodiesDoNotCrash() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> JsonServlet.parseJsonObject(body("{\"a\":" + deep + "}")))
                .isInstanceOf(ApiError.class);
    }

    @Test
    void valuesRoundTripThroughTheWriterAndTheReader() throws Exception {
        java.util.Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("s", "quote \" backslash \\ newline \n unicode ü");
        value.put("n", 42);
        value.put("b", true);
        value.put("z", null);
        value.put("list", java.util.List.of(1, "two"));
        byte[] bytes = JsonServlet.JSON.writePretty(value);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"n\": 42");
        assertThat(JsonServlet.JSON.read(bytes)).isEqualTo(value);
    }

    @Test
    void nestingBeyondTheLimitIs400() {
        String deep = "{\"a\":".repeat(JsonServlet.MAX_DEPTH + 1) + "1" + "}".repeat(JsonServlet.MAX_DEPTH + 1);
        assertThat(error(deep).code()).isEqualTo("invalid_json");
    }
}
