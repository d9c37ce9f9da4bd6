package io.edgeflow.endpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.edgeflow.endpoint.testing.TestConnectProxy;

import org.junit.jupiter.api.Test;

/** The relay in front of an authenticating proxy opens tunnels to the cloud only (moved from provisioning). */
class ProxyRelayTest {

    @Test
    void theRelayOpensTunnelsToTheCloudOnly() throws Exception {
        try (TestConnectProxy proxy = new TestConnectProxy(null)) {
            ProxySettings settings = ProxySettings.parse("http://u:p@127.0.0.1:" + proxy.port(), null, "test");
            try (ProxyRelay relay = new ProxyRelay(settings, "cloud.example.test:443", Duration.ofSeconds(2));
                    java.net.Socket s = new java.net.Socket(relay.address().getAddress(), relay.address().getPort())) {
                s.getOutputStream().write("CONNECT 10.0.0.1:22 HTTP/1.1\r\nHost: 10.0.0.1:22\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).startsWith("HTTP/1.1 403");
            }
            assertThat(proxy.heads).isEmpty();
        }
    }
}
