package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ProxySelector;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import io.edgeflow.api.tunnel.TunnelState.Phase;

/**
 * A proxy that refuses the tunnel's CONNECT: the status names the proxy and says to check its user and
 * password, whether it answers 407 or (as some proxies do) 401; it is never taken for the cloud refusing
 * the device's key.
 */
class ProxyRefusalTest {
    private static void refusedWith(String statusLine, String shown) throws Exception {
        try (RefusingProxy proxy = new RefusingProxy(statusLine);
                TestCloudEndpoint endpoint = new TestCloudEndpoint("cloud.example.test", 443, SSLContext.getDefault(),
                        ProxySelector.of(proxy.address()));
                TunnelClient client = new TunnelClient(TunnelOnlineTest.FAST, endpoint, "dev_x",
                        new MemoryVault("dev_x", "efk_test"), null, Clock.systemUTC(),
                        b -> ThreadLocalRandom.current().nextLong(b), () -> null)) {
            client.start();
            Await.until("an error", Duration.ofSeconds(10), () -> client.state().error() != null,
                    () -> client.state().toString());
            assertThat(proxy.requests).first().asString().startsWith("CONNECT cloud.example.test:443 ");
            assertThat(client.state().phase()).isEqualTo(Phase.CONNECTING);
            assertThat(client.state().error().code()).isEqualTo(TunnelClient.PROXY_ERROR);
            assertThat(client.state().error().message()).contains("proxy").contains(shown)
                    .contains("check the proxy user and password");
        }
    }

    @Test
    void aProxyThatAnswers407() throws Exception {
        refusedWith("HTTP/1.1 407 Proxy Authentication Required", "407");
    }

    @Test
    void aProxyThatAnswers401GetsTheSameHint() throws Exception {
        refusedWith("HTTP/1.1 401 Unauthorized", "401");
    }
}
