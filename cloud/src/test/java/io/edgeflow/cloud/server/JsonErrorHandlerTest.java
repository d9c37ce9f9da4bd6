package io.edgeflow.cloud.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The body of the errors Jetty answers itself: valid JSON that keeps Jetty's message as it was. */
class JsonErrorHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyCharacterOfTheMessageSurvivesAsJson() throws Exception {
        String message = "Bad \"Host\" \\ header\u0001\ttab\nline \u2028 é";
        byte[] body = JsonErrorHandler.body(400, message);
        JsonNode parsed = JSON.readTree(body);
        assertThat(parsed.path("error").asText()).isEqualTo("invalid_request");
        assertThat(parsed.path("message").asText()).isEqualTo(message);
        assertThat(new String(body, StandardCharsets.UTF_8)).endsWith("}\n").doesNotContain("\u0001");
    }

    @Test
    void theCodeFollowsTheStatusAndAnEmptyMessageSaysTheStatus() throws Exception {
        assertThat(JSON.readTree(JsonErrorHandler.body(404, null)).path("error").asText()).isEqualTo("not_found");
        assertThat(JSON.readTree(JsonErrorHandler.body(405, "x")).path("error").asText())
                .isEqualTo("method_not_allowed");
        assertThat(JSON.readTree(JsonErrorHandler.body(500, " ")).path("message").asText()).isEqualTo("HTTP 500");
        assertThat(JSON.readTree(JsonErrorHandler.body(500, "x")).path("error").asText()).isEqualTo("internal_error");
    }
}
