package io.edgeflow.localapi.internal;

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
                .get("provisioning_code").asText()).isEqualTo("PROV-A1B2-C3D4");
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
}
