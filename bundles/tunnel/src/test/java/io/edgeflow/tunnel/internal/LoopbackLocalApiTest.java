package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoopbackLocalApiTest {
    static LocalApiStub stub;
    static ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() throws Exception {
        stub = new LocalApiStub();
    }

    @AfterAll
    static void stop() {
        stub.close();
        deadlines.shutdownNow();
    }

    @Test
    void theEndpointOfTheHttpRuntimeIsReachedOverLoopback() {
        assertThat(LoopbackLocalApi.address("http://127.0.0.1:8080/")).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(LoopbackLocalApi.address(new String[] {"http://0.0.0.0:9090/"}))
                .isEqualTo(URI.create("http://127.0.0.1:9090"));
        assertThat(LoopbackLocalApi.address(List.of("http://localhost:8080/"))).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(LoopbackLocalApi.address("http://[::]:8080/")).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(LoopbackLocalApi.address("http://[::1]:8080/")).isEqualTo(URI.create("http://[0:0:0:0:0:0:0:1]:8080"));
        assertThat(LoopbackLocalApi.address("http://192.168.1.5:8080/")).isEqualTo(URI.create("http://192.168.1.5:8080"));
        // plain HTTP preferred over HTTPS; loopback preferred over another address
        assertThat(LoopbackLocalApi.address(List.of("https://127.0.0.1:8443/", "http://192.168.1.5:8080/",
                "http://127.0.0.1:8080/"))).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(LoopbackLocalApi.address("https://127.0.0.1:8443/")).isNull();
        assertThat(LoopbackLocalApi.address(null)).isNull();
        assertThat(LoopbackLocalApi.address("not a uri at all ::")).isNull();
    }

    @Test
    void answersArePassedOnWhateverTheirStatus() throws Exception {
        LoopbackLocalApi api = new LoopbackLocalApi(stub::address, deadlines);
        LocalResponse facts = api.execute(new LocalRequest("GET", "/api/v1/device/facts", Map.of("accept",
                "application/json"), new byte[0]), Duration.ofSeconds(5), 1 << 20);
        assertThat(facts.status()).isEqualTo(200);
        assertThat(new String(facts.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(LocalApiStub.FACTS);
        assertThat(facts.headers()).containsEntry("content-type", "application/json").doesNotContainKey("x-secret-header");
        LocalResponse missing = api.execute(new LocalRequest("GET", "/api/v1/nope", Map.of(), new byte[0]),
                Duration.ofSeconds(5), 1 << 20);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(new String(missing.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("not_found");
    }

    @Test
    void a401KeepsItsBodyAndNoCredentialsAreOfferedForIt() throws Exception {
        // Someone in the JVM may have set a default Authenticator (for a proxy): the local API must never get its
        // answers, and a 401 must reach the cloud as the local API wrote it, body included.
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.net.Authenticator.setDefault(new java.net.Authenticator() {
            @Override
            protected java.net.PasswordAuthentication getPasswordAuthentication() {
                asked.incrementAndGet();
                return new java.net.PasswordAuthentication("proxy-user", "proxy-secret".toCharArray());
            }
        });
        try {
            LoopbackLocalApi api = new LoopbackLocalApi(stub::address, deadlines);
            for (String path : List.of("/api/v1/locked", "/api/v1/locked-basic")) {
                byte[] body = "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                LocalResponse answer = api.execute(new LocalRequest("POST", path, Map.of("content-type",
                        "application/json"), body), Duration.ofSeconds(5), 1 << 20);
                assertThat(answer.status()).as(path).isEqualTo(401);
                assertThat(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8)).as(path)
                        .isEqualTo(LocalApiStub.UNAUTHORIZED);
                assertThat(answer.headers()).as(path).containsEntry("content-type", "application/json");
                LocalResponse get = api.execute(new LocalRequest("GET", path, Map.of(), new byte[0]),
                        Duration.ofSeconds(5), 1 << 20);
                assertThat(get.status()).as(path).isEqualTo(401);
                assertThat(new String(get.body(), java.nio.charset.StandardCharsets.UTF_8)).as(path)
                        .isEqualTo(LocalApiStub.UNAUTHORIZED);
            }
            assertThat(asked).as("the default authenticator was never consulted").hasValue(0);
            assertThat(stub.seen).noneMatch(s -> s.headers().containsKey("Authorization"));
        } finally {
            java.net.Authenticator.setDefault(null);
        }
    }

    @Test
    void requestsCarryTheTunnelsOwnCredentialAndNothingElseInItsPlace() throws Exception {
        RelaySecret secret = RelaySecret.generate(new java.security.SecureRandom());
        LoopbackTarget target = new LoopbackTarget() {
            @Override
            public URI address() {
                return stub.address();
            }

            @Override
            public String authorization() {
                return secret.authorization();
            }
        };
        LoopbackLocalApi api = new LoopbackLocalApi(target, deadlines);
        // an authorization header among the request's (the cloud's frames never pass one on) is replaced
        int before = stub.seen.size();
        api.execute(new LocalRequest("GET", "/api/v1/device/facts", Map.of("authorization", "Bearer from-the-cloud"),
                new byte[0]), Duration.ofSeconds(5), 1 << 20);

        assertThat(stub.seen).hasSize(before + 1);
        assertThat(stub.seen.get(before).headers().get("Authorization")).containsExactly(secret.authorization());
    }

    @Test
    void failuresHaveCodes() {
        LoopbackLocalApi api = new LoopbackLocalApi(stub::address, deadlines);
        assertThatThrownBy(() -> api.execute(new LocalRequest("GET", "/api/v1/slow?ms=3000", Map.of(), new byte[0]),
                Duration.ofMillis(300), 1 << 20)).isInstanceOfSatisfying(LocalApiException.class,
                        e -> assertThat(e.code()).isEqualTo("local_timeout"));
        assertThatThrownBy(() -> api.execute(new LocalRequest("GET", "/api/v1/big", Map.of(), new byte[0]),
                Duration.ofSeconds(5), 1 << 20)).isInstanceOfSatisfying(LocalApiException.class,
                        e -> assertThat(e.code()).isEqualTo("response_too_large"));
        LoopbackLocalApi none = new LoopbackLocalApi(() -> null, deadlines);
        assertThatThrownBy(() -> none.execute(new LocalRequest("GET", "/api/v1/x", Map.of(), new byte[0]),
                Duration.ofSeconds(1), 1024)).isInstanceOfSatisfying(LocalApiException.class,
                        e -> assertThat(e.code()).isEqualTo("local_api_unavailable"));
        LoopbackLocalApi closed = new LoopbackLocalApi(() -> URI.create("http://127.0.0.1:1"), deadlines);
        assertThatThrownBy(() -> closed.execute(new LocalRequest("GET", "/api/v1/x", Map.of(), new byte[0]),
                Duration.ofSeconds(1), 1024)).isInstanceOfSatisfying(LocalApiException.class,
                        e -> assertThat(e.code()).isEqualTo("local_api_unavailable"));
    }
}
