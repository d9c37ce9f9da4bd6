package io.edgeflow.endpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;

class CloudAddressTest {
    @Test
    void theDocumentationsFormIsHostAndPort() {
        CloudAddress address = CloudAddress.parse("saas.edgx.cloud:443");
        assertThat(address.host()).isEqualTo("saas.edgx.cloud");
        assertThat(address.port()).isEqualTo(443);
        assertThat(address.baseUri()).isEqualTo(URI.create("https://saas.edgx.cloud:443"));
        assertThat(address.webSocketUri("/api/v1/tunnel")).isEqualTo(URI.create("wss://saas.edgx.cloud:443/api/v1/tunnel"));
        assertThat(address.display()).isEqualTo("saas.edgx.cloud:443");
    }

    @Test
    void httpsUrlsIpLiteralsAndDefaults() {
        assertThat(CloudAddress.parse(" https://127.0.0.1:8443/ ").baseUri()).isEqualTo(URI.create("https://127.0.0.1:8443"));
        assertThat(CloudAddress.parse("HTTPS://Cloud.Example:9443").port()).isEqualTo(9443);
        assertThat(CloudAddress.parse("saas.edgx.cloud").port()).isEqualTo(443);
        assertThat(CloudAddress.parse("https://saas.edgx.cloud").baseUri()).isEqualTo(URI.create("https://saas.edgx.cloud:443"));
        CloudAddress v6 = CloudAddress.parse("[::1]:8443");
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.baseUri()).isEqualTo(URI.create("https://[::1]:8443"));
    }

    @Test
    void plainHttpIsRefusedWithWhatToWriteInstead() {
        assertThatThrownBy(() -> CloudAddress.parse("http://saas.edgx.cloud:80"))
                .hasMessageContaining("plain http").hasMessageContaining("HTTPS only")
                .hasMessageContaining("https://saas.edgx.cloud:80");
        assertThatThrownBy(() -> CloudAddress.parse("HTTP://x:1")).hasMessageContaining("plain http");
        assertThatThrownBy(() -> CloudAddress.parse("ws://x:1")).hasMessageContaining("plain ws");
    }

    @Test
    void otherMistakesAreNamed() {
        assertThatThrownBy(() -> CloudAddress.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> CloudAddress.parse("ftp://x")).hasMessageContaining("scheme ftp");
        assertThatThrownBy(() -> CloudAddress.parse("saas.edgx.cloud:443/api")).hasMessageContaining("path");
        assertThatThrownBy(() -> CloudAddress.parse("https://x:443/?a=1")).hasMessageContaining("path");
        assertThatThrownBy(() -> CloudAddress.parse("user:pw@x:443")).hasMessageContaining("user information");
        assertThatThrownBy(() -> CloudAddress.parse("x:99999")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudAddress.parse("x y:443")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudAddress.parse("x:")).isInstanceOf(IllegalArgumentException.class);
    }
}
