package io.edgeflow.cloud.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.provisioning.CloudError;

/** The route table on Jetty's path mapping answers as the hand-written router did: 404, 405 with Allow, HEAD as GET. */
class ApiRoutesTest {
    private final ApiRoutes routes = new ApiRoutes()
            .add("GET", "/api/v1/health", c -> new Reply(200, "health"))
            .add("POST", "/api/v1/devices/register", c -> new Reply(201, "register"))
            .add("GET", "/api/v1/devices/{id}", c -> new Reply(200, "self"))
            .add("POST", "/api/v1/devices/{id}/confirm", c -> new Reply(200, "confirm"))
            .add("DELETE", "/api/v1/devices/{id}/confirm", c -> new Reply(200, "unconfirm"));

    @Test
    void aLiteralPathIsTriedBeforeATemplateButATemplateStillAnswersItsMethod() throws Exception {
        assertThat(answer("POST", "/api/v1/devices/register")).isEqualTo("register");
        ApiRoutes.Match self = routes.match("GET", "/api/v1/devices/register");
        assertThat(self.params()).isEqualTo(Map.of("id", "register"));
        assertThat(routes.match("POST", "/api/v1/devices/dev_1/confirm").params()).isEqualTo(Map.of("id", "dev_1"));
    }

    @Test
    void headGoesWhereGetGoesAndOneTrailingSlashIsIgnored() throws Exception {
        assertThat(answer("HEAD", "/api/v1/health")).isEqualTo("health");
        assertThat(answer("GET", "/api/v1/health/")).isEqualTo("health");
        assertThat(answer("GET", "/api/v1/devices/dev_1/")).isEqualTo("self");
    }

    @Test
    void aKnownPathWithAnotherMethodIs405WithEveryAllowedMethodSorted() throws Exception {
        ApiRoutes.Match m = routes.match("PUT", "/api/v1/devices/register");
        assertThat(m.route()).isNull();
        assertThat(m.refusal().status()).isEqualTo(405);
        assertThat(m.refusal().headers()).containsEntry("Allow", "GET, POST");
        assertThat(m.refusal().body()).isEqualTo(Reply.errorBody("method_not_allowed",
                "Method PUT is not allowed on /api/v1/devices/register; allowed: GET, POST"));
        assertThat(routes.match("GET", "/api/v1/devices/x/confirm").refusal().headers())
                .containsEntry("Allow", "DELETE, POST");
    }

    @Test
    void anUnknownPathOrAnEmptyParameterIs404() {
        for (String path : new String[] {"/", "/api/v1/devices/", "/api/v1/devices//confirm", "/api/v1/health//",
            "/api/v1/healthz", "/api/v1/devices/a/b"}) {
            assertThatThrownBy(() -> routes.match("GET", path)).as(path).isInstanceOfSatisfying(CloudError.class,
                    e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.code()).isEqualTo("not_found");
                        assertThat(e.getMessage()).isEqualTo("No such endpoint: " + path);
                    });
        }
    }

    private String answer(String method, String path) throws Exception {
        return (String) routes.match(method, path).route().endpoint().handle(null).body();
    }
}
