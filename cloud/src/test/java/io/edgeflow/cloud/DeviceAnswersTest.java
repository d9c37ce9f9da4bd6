package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.tunnel.TunnelSettings;

/**
 * What a device answers through its tunnel reaches the admin client only if it is a valid final HTTP
 * answer: a status from 200 to 599. Anything else (an interim 1xx, a switch of protocols, a number out
 * of range or not a whole number) is 502 {@code bad_gateway}.
 */
class DeviceAnswersTest {
    @TempDir
    static Path dir;
    static TestCloud cloud;
    static String deviceId;
    static SimulatedDevice device;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(dir.resolve("data"), CloudSettings.DEFAULTS,
                TunnelSettings.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10)));
        Answer d = cloud.provisionDevice();
        deviceId = d.text("device_id");
        device = SimulatedDevice.connect(cloud, deviceId, d.text("api_key"));
        device.next("hello");
    }

    @AfterAll
    static void stop() {
        device.close();
        cloud.close();
    }

    /** Sends one remote request, answers it with the given response frame fields, returns what the admin got. */
    static TestCloud.Answer answer(String method, String responseFields) throws Exception {
        CompletableFuture<Answer> call = CompletableFuture.supplyAsync(() -> {
            try {
                return cloud.call(method, "/api/v1/admin/devices/" + deviceId + "/local/api/v1/device/facts",
                        "POST".equals(method) ? "{}" : null, cloud.adminToken);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode request = device.next("request");
        device.send("{\"type\": \"response\", \"id\": \"" + request.path("id").asText() + "\", " + responseFields + "}");
        return call.get(15, TimeUnit.SECONDS);
    }

    static String body(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void interimAndOutOfRangeStatusesAreBadGateway() throws Exception {
        for (String status : new String[] {"100", "101", "102", "103", "199", "0", "-200", "600", "999", "2147483648",
            "200.5", "\"200\"", "null", "true", "[200]"}) {
            Answer a = answer("GET", "\"status\": " + status + ", \"headers\": {\"content-type\": \"application/json\"},"
                    + " \"body\": \"" + body("{\"ok\": true}") + "\"");
            assertThat(a.status()).as("status " + status + ": " + a).isEqualTo(502);
            assertThat(a.error()).as("status " + status).isEqualTo("bad_gateway");
            assertThat(a.raw().headers().firstValue("content-type")).hasValue("application/json");
        }
    }

    @Test
    void finalStatusesPassAsTheyCame() throws Exception {
        for (int status : new int[] {200, 201, 299, 400, 404, 451, 500, 503, 599}) {
            Answer a = answer("GET", "\"status\": " + status + ", \"headers\": {\"content-type\": \"application/json\"},"
                    + " \"body\": \"" + body("{\"status\": " + status + "}") + "\"");
            assertThat(a.status()).isEqualTo(status);
            assertThat(a.body().path("status").asInt()).isEqualTo(status);
        }
    }

    @Test
    void answersWithoutABodyKeepTheirStatus() throws Exception {
        for (int status : new int[] {204, 304}) {
            Answer a = answer("GET", "\"status\": " + status + ", \"body\": \"" + body("{\"not\": \"allowed\"}") + "\"");
            assertThat(a.status()).as(a.toString()).isEqualTo(status);
            assertThat(a.raw().body()).isEmpty();
        }
        Answer a = answer("GET", "\"status\": 204, \"headers\": {}, \"body\": null");
        assertThat(a.status()).isEqualTo(204);
    }

    @Test
    void aBodyThatIsNotBase64IsBadGateway() throws Exception {
        for (String b : new String[] {"\"***\"", "12", "{}", "[\"e30=\"]", "true"}) {
            Answer a = answer("GET", "\"status\": 200, \"body\": " + b);
            assertThat(a.status()).as(b).isEqualTo(502);
            assertThat(a.error()).isEqualTo("bad_gateway");
        }
    }
}
