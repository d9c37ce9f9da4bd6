package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The brute-force limit holds for attempts that arrive together: each attempt is counted before its
 * code is looked up, so twenty wrong codes sent at once from one address get ten evaluations and ten
 * 429s, never twenty evaluations.
 */
class BruteForceRaceTest extends FreshCloudPerTest {
    @Test
    void twentyConcurrentWrongCodesGetTenEvaluationsAndTenRefusals() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String body = TestCloud.JSON.writeValueAsString(
                    TestCloud.registration(String.format("PROV-%04d-%04d", i, i), UUID.randomUUID().toString()));
            HttpRequest request = HttpRequest.newBuilder(URI.create(cloud.url() + "/api/v1/devices/register"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            answers.add(cloud.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        int evaluated = 0;
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
            JsonNode body = TestCloud.JSON.readTree(r.body());
            if (r.statusCode() == 404) {
                assertThat(body.path("error").asText()).isEqualTo("code_invalid");
                evaluated++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                assertThat(body.path("error").asText()).isEqualTo("rate_limited");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                refused++;
            }
        }
        assertThat(evaluated).as("wrong codes looked up").isEqualTo(10);
        assertThat(refused).isEqualTo(10);
        // the ten failures locked the address out: the next attempt is refused at once
        assertThat(cloud.register(cloud.createCode()).status()).isEqualTo(429);
        JsonNode events = cloud.admin("GET", "/api/v1/admin/audit?limit=100", null).body().path("events");
        assertThat(events.findValuesAsText("result").stream().filter("code_invalid"::equals).count()).isEqualTo(10);
    }
}
