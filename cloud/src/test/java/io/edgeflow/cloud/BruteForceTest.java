package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.TestCloud.RawAnswer;

/**
 * Failed code attempts are limited per source address (10 a minute, then 15 minutes out); the limit
 * never blocks a correct code from another address. The test client speaks from 127.0.0.1 and from
 * 127.0.0.2.
 */
class BruteForceTest extends FreshCloudPerTest {
    private static String guess(int i) {
        return String.format("PROV-%04d-%04d", i, i);
    }

    @Test
    void tenFailuresAMinuteLockTheAddressOutButNotAnotherOne() throws Exception {
        String good = cloud.createCode();
        for (int i = 0; i < 10; i++) {
            Answer a = cloud.register(guess(i));
            assertThat(a.status()).as("attempt " + (i + 1)).isEqualTo(404);
            assertThat(a.error()).isEqualTo("code_invalid");
        }
        Answer locked = cloud.register(guess(10));
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.error()).isEqualTo("rate_limited");
        long retryAfter = Long.parseLong(locked.raw().headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(890L, 900L);

        // even the right code is refused from the locked-out address...
        assertThat(cloud.register(good).status()).isEqualTo(429);

        // ...but another address registers with it at once
        String body = TestCloud.JSON.writeValueAsString(TestCloud.registration(good, UUID.randomUUID().toString()));
        RawAnswer other = cloud.rawFrom("127.0.0.2", "POST", "/api/v1/devices/register", body);
        assertThat(other.status()).as(other.body().toString()).isEqualTo(201);
        assertThat(other.body().path("api_key").asText()).startsWith("efk_");

        // the lockout ends
        cloud.clock.advance(Duration.ofSeconds(retryAfter));
        String another = cloud.createCode();
        assertThat(cloud.register(another).status()).isEqualTo(201);
    }

    @Test
    void aLockedOutAttackerDoesNotSlowDownOtherAddresses() throws Exception {
        for (int i = 0; i < 30; i++) {
            cloud.register(guess(i));
        }
        for (int round = 0; round < 3; round++) {
            String good = cloud.createCode();
            String body = TestCloud.JSON.writeValueAsString(TestCloud.registration(good, UUID.randomUUID().toString()));
            assertThat(cloud.rawFrom("127.0.0.3", "POST", "/api/v1/devices/register", body).status()).isEqualTo(201);
        }
    }

    @Test
    void aRefusalThatLeavesTheBodyUnreadClosesTheConnectionAndSaysSo() throws Exception {
        String good = cloud.createCode();
        String body = TestCloud.JSON.writeValueAsString(TestCloud.registration(good, UUID.randomUUID().toString()));
        // read in full and answered: the connection stays open for the next request
        String kept = cloud.rawHeadersKeepAlive("127.0.0.4", "POST", "/api/v1/devices/register", body);
        assertThat(kept).startsWith("HTTP/1.1 201").doesNotContainIgnoringCase("Connection: close");

        for (int i = 0; i < 30; i++) {
            cloud.register(guess(i));
        }
        // refused before its body is read: the client is told not to send another request on this connection
        String refused = cloud.rawHeadersKeepAlive("127.0.0.1", "POST", "/api/v1/devices/register", body);
        assertThat(refused).startsWith("HTTP/1.1 429").containsIgnoringCase("Connection: close");
        // and the HTTP client, which keeps connections, gets an answer every time, never a closed connection
        for (int i = 0; i < 20; i++) {
            assertThat(cloud.register(guess(100 + i)).status()).isEqualTo(429);
        }
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowDoNotLock() throws Exception {
        for (int i = 0; i < 30; i++) {
            assertThat(cloud.register(guess(i)).status()).as("attempt " + (i + 1)).isEqualTo(404);
            cloud.clock.advance(Duration.ofSeconds(7)); // 9 failures in any 60 s
        }
        assertThat(cloud.register(cloud.createCode()).status()).isEqualTo(201);
    }

    @Test
    void correctCodesAndMalformedRequestsDoNotCount() throws Exception {
        for (int i = 0; i < 15; i++) {
            assertThat(cloud.register(cloud.createCode()).status()).isEqualTo(201);
            assertThat(cloud.register("PROV-12").status()).isEqualTo(400);
        }
        for (int i = 0; i < 9; i++) {
            assertThat(cloud.register(guess(i)).status()).isEqualTo(404);
        }
        assertThat(cloud.register(cloud.createCode()).status()).isEqualTo(201);
    }

    @Test
    void lockoutsAreAudited() throws Exception {
        for (int i = 0; i < 11; i++) {
            cloud.register(guess(i));
        }
        var events = cloud.admin("GET", "/api/v1/admin/audit?limit=20", null).body().path("events");
        assertThat(events.get(0).path("result").asText()).isEqualTo("rate_limited");
        assertThat(events.get(0).path("source_address").asText()).isEqualTo("127.0.0.1");
        assertThat(events.get(1).path("result").asText()).isEqualTo("code_invalid");
        assertThat(events.get(1).path("code").asText()).isEqualTo("PROV-****-0009");
    }
}
