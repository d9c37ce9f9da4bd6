package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.TestCloud.Answer;

/** Many devices racing one code: exactly one wins. */
class RegistrationRaceTest extends RunningCloud {
    private static final int DEVICES = 60;

    @Test
    void sixtyConcurrentRegistrationsWithOneCodeGiveExactlyOne201() throws Exception {
        for (int round = 0; round < 3; round++) {
            String code = cloud.createCode();
            Map<Integer, Integer> statuses = race(code, false);
            assertThat(statuses.get(201)).as("round " + round + ": " + statuses).isEqualTo(1);
            assertThat(statuses.keySet()).as("only 201, 409 and 410: " + statuses).isSubsetOf(201, 409, 410);
            assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(DEVICES);
        }
    }

    @Test
    void theWinnerConfirmingDuringTheRaceTurnsTheRestInto410() throws Exception {
        String code = cloud.createCode();
        Map<Integer, Integer> statuses = race(code, true);
        assertThat(statuses.get(201)).as(statuses.toString()).isEqualTo(1);
        assertThat(statuses.keySet()).isSubsetOf(201, 409, 410);
    }

    /** Each device on its own HTTP client (its own TLS connection), all released at once. */
    private static Map<Integer, Integer> race(String code, boolean winnerConfirms) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
        try {
            CountDownLatch ready = new CountDownLatch(DEVICES);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                results.add(pool.submit(() -> {
                    var client = java.net.http.HttpClient.newBuilder().sslContext(cloud.tls).build();
                    byte[] body = TestCloud.JSON.writeValueAsBytes(
                            TestCloud.registration(code, UUID.randomUUID().toString()));
                    var request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(cloud.url() + "/api/v1/devices/register"))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build();
                    // warm the TLS connection first, so the registrations themselves start together
                    client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cloud.url() + "/api/v1/health"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                    ready.countDown();
                    go.await();
                    var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 201 && winnerConfirms) {
                        var json = TestCloud.JSON.readTree(response.body());
                        Answer c = cloud.confirm(json.path("device_id").asText(), json.path("api_key").asText());
                        assertThat(c.status()).isEqualTo(200);
                    }
                    return response.statusCode();
                }));
            }
            assertThat(ready.await(60, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (Future<Integer> f : results) {
                statuses.merge(f.get(60, TimeUnit.SECONDS), 1, Integer::sum);
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
