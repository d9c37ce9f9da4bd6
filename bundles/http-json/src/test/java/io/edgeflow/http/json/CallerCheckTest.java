package io.edgeflow.http.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;

import javax.servlet.http.HttpServletRequest;

import org.junit.jupiter.api.Test;

import io.edgeflow.api.tunnel.RelayCredential;

/** The local API's caller rule, with and without an API token, and the tunnel's relay credential. */
class CallerCheckTest {
    private static final String TOKEN = "s3cret-token";
    private static final String RELAY_SECRET = "relay-secret-of-this-start";
    private static final RelayCredential TUNNEL = presented -> RELAY_SECRET.equals(presented);

    private static HttpServletRequest request(String remoteAddress, String authorization) {
        return (HttpServletRequest) Proxy.newProxyInstance(CallerCheckTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRemoteAddr" -> remoteAddress;
                    case "getHeader" -> "Authorization".equalsIgnoreCase((String) args[0]) ? authorization : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static ApiError refusal(CallerCheck check, HttpServletRequest request, RelayCredential relay) {
        try {
            check.check(request, relay);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError("let through");
    }

    @Test
    void withATokenTheTunnelsRelayedRequestsAreTheCloudsAndNeedNoToken() throws Exception {
        CallerCheck check = new CallerCheck(TOKEN);

        assertThat(check.check(request("127.0.0.1", "EdgeFlow-Relay " + RELAY_SECRET), TUNNEL))
                .isEqualTo(Caller.CLOUD);
        assertThat(check.check(request("127.0.0.1", "edgeflow-relay  " + RELAY_SECRET + " "), TUNNEL))
                .as("the scheme is case-insensitive, as HTTP's are").isEqualTo(Caller.CLOUD);
        // the local API bound to one LAN address: the tunnel reaches it there, the secret is what counts
        assertThat(check.check(request("192.168.1.5", "EdgeFlow-Relay " + RELAY_SECRET), TUNNEL))
                .isEqualTo(Caller.CLOUD);
        assertThat(check.check(request("192.168.1.7", "Bearer " + TOKEN), TUNNEL)).isEqualTo(Caller.TOKEN);
    }

    @Test
    void aCallerThatIsNotTheTunnelCannotPassForIt() {
        CallerCheck check = new CallerCheck(TOKEN);

        ApiError guessed = refusal(check, request("192.168.1.7", "EdgeFlow-Relay guessed"), TUNNEL);
        assertThat(guessed.status()).isEqualTo(401);
        assertThat(guessed.code()).isEqualTo("unauthorized");
        assertThat(guessed.getMessage()).doesNotContain(RELAY_SECRET);
        assertThat(refusal(check, request("127.0.0.1", "EdgeFlow-Relay " + RELAY_SECRET), null).status())
                .as("no tunnel running: nothing counts as relayed").isEqualTo(401);
        assertThat(refusal(check, request("127.0.0.1", "EdgeFlow-Relay "), TUNNEL).status()).isEqualTo(401);
        assertThat(refusal(check, request("127.0.0.1", "EdgeFlow-Relay" + RELAY_SECRET), TUNNEL).status())
                .as("no space: not this scheme, and not a bearer token either").isEqualTo(401);
        assertThat(refusal(check, request("127.0.0.1", "Bearer " + RELAY_SECRET), TUNNEL).status())
                .as("the relay secret is not the API token").isEqualTo(401);
        assertThat(refusal(check, request("127.0.0.1", null), TUNNEL).status()).isEqualTo(401);
        RelayCredential stopping = presented -> {
            throw new IllegalStateException("the tunnel bundle is stopping");
        };
        assertThat(refusal(check, request("127.0.0.1", "EdgeFlow-Relay " + RELAY_SECRET), stopping).status())
                .isEqualTo(401);
    }

    @Test
    void withoutATokenLoopbackCallersPassAndRelayedRequestsAreStillTheClouds() throws Exception {
        CallerCheck check = new CallerCheck("");

        assertThat(check.check(request("127.0.0.1", null), TUNNEL)).isEqualTo(Caller.LOOPBACK);
        assertThat(check.check(request("127.0.0.1", "EdgeFlow-Relay " + RELAY_SECRET), TUNNEL)).isEqualTo(Caller.CLOUD);
        assertThat(refusal(check, request("192.168.1.7", null), TUNNEL).status()).isEqualTo(403);
        assertThat(refusal(check, request("127.0.0.1", "EdgeFlow-Relay guessed"), TUNNEL).status())
                .as("a wrong relay credential is refused, never taken for a plain loopback call").isEqualTo(401);
    }

    @Test
    void callersAreDescribedForTheLog() {
        assertThat(Caller.CLOUD.description()).isEqualTo("the cloud, through the tunnel");
    }
}
