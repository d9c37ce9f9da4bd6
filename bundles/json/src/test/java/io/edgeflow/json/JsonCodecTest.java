package io.edgeflow.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonCodecTest {
    private final JsonCodec codec = JsonCodec.withLimits(4, 100);

    @Test
    void valuesSurviveARoundTripWithTheirOrderAndTypes() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("z", "last key first");
        value.put("n", 42);
        value.put("big", 12_345_678_901L);
        value.put("f", new BigDecimal("1.5"));
        value.put("t", true);
        value.put("nil", null);
        value.put("list", List.of("a", 1, false));
        assertThat(codec.read(codec.write(value))).isEqualTo(value);
        assertThat(codec.readObject(codec.writeString(value))).isEqualTo(value);
        assertThat(new String(codec.write(value), StandardCharsets.UTF_8)).startsWith("{\"z\":\"last key first\",\"n\":42,");
    }

    @Test
    void prettyOutputIsTheDocumentationsShape() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("status", "disabled");
        value.put("error", null);
        assertThat(new String(codec.writePretty(value), StandardCharsets.UTF_8))
                .isEqualTo("{\n  \"status\": \"disabled\",\n  \"error\": null\n}");
    }

    @Test
    void otherObjectsAreWrittenAsTheirText() {
        assertThat(codec.writeString(Map.of("at", java.time.Instant.EPOCH, "items", Arrays.asList(1, null))))
                .contains("\"at\":\"1970-01-01T00:00:00Z\"").contains("\"items\":[1,null]");
    }

    @Test
    void anythingButExactlyOneValueWithinTheLimitsIsRefused() {
        for (String bad : new String[] {"", "   ", "{\"a\": 1} {}", "{\"a\": }", "[1, 2", "{\"a\": 1}x",
                "[[[[[1]]]]]", "\"" + "x".repeat(101) + "\""}) {
            assertThatThrownBy(() -> codec.read(bad.getBytes(StandardCharsets.UTF_8))).as(bad)
                    .isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> codec.readObject("[1]")).isInstanceOf(IOException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> codec.readObject("42".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> JsonCodec.withLimits(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonCodec.withLimits(10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(JsonCodec.withLimits(3, 10).maxDepth()).isEqualTo(3);
    }
}
