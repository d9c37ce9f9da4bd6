package io.edgeflow.endpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProxySettingsTest {
    @Test
    void theSettingWinsOverTheEnvironment() {
        ProxySettings proxy = ProxySettings.resolve("http://proxy.lan:3128", "", Map.of("https_proxy",
                "http://other:1"), "saas.edgx.cloud");
        assertThat(proxy.host()).isEqualTo("proxy.lan");
        assertThat(proxy.port()).isEqualTo(3128);
        assertThat(proxy.authenticates()).isFalse();
    }

    @Test
    void theEnvironmentAsCurlReadsIt() {
        assertThat(ProxySettings.resolve("", "", Map.of("HTTPS_PROXY", "proxy.lan:8080"), "saas.edgx.cloud").port())
                .isEqualTo(8080);
        assertThat(ProxySettings.resolve("", "", Map.of("https_proxy", "http://a:1", "HTTPS_PROXY", "http://b:2"),
                "saas.edgx.cloud").host()).isEqualTo("a");
        assertThat(ProxySettings.resolve("", "", Map.of(), "saas.edgx.cloud")).isNull();
        assertThat(ProxySettings.resolve("direct", "", Map.of("https_proxy", "http://a:1"), "x")).isNull();
        assertThat(ProxySettings.resolve("", "", Map.of("https_proxy", "http://a:1"), "x").describe())
                .contains("the environment variable https_proxy");
    }

    @Test
    void noProxyBypassesHostsAndDomains() {
        Map<String, String> env = Map.of("https_proxy", "http://a:1", "no_proxy", "localhost, .internal,example.com");
        assertThat(ProxySettings.resolve("", "", env, "localhost")).isNull();
        assertThat(ProxySettings.resolve("", "", env, "cloud.internal")).isNull();
        assertThat(ProxySettings.resolve("", "", env, "saas.example.com")).isNull();
        assertThat(ProxySettings.resolve("", "", env, "example.com")).isNull();
        assertThat(ProxySettings.resolve("", "", env, "badexample.com")).isNotNull();
        assertThat(ProxySettings.resolve("", "", Map.of("https_proxy", "http://a:1", "NO_PROXY", "*"), "x")).isNull();
    }

    @Test
    void credentialsAreSentButNeverShown() {
        ProxySettings proxy = ProxySettings.resolve("http://gw%40lan:s%3Acret@proxy.lan:3128", "", Map.of(), "x");
        assertThat(proxy.authenticates()).isTrue();
        assertThat(proxy.basicAuthorization()).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("gw@lan:s:cret".getBytes()));
        assertThat(proxy.describe()).isEqualTo("http://gw@lan:****@proxy.lan:3128 (the proxy setting)");
        assertThat(proxy.toString()).doesNotContain("cret");

        ProxySettings separate = ProxySettings.resolve("http://gw@proxy.lan:3128", "pw", Map.of(), "x");
        assertThat(separate.basicAuthorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("gw:pw".getBytes()));
    }

    @Test
    void unusableProxiesAreNamed() {
        assertThatThrownBy(() -> ProxySettings.resolve("https://proxy:443", "", Map.of(), "x"))
                .hasMessageContaining("only an HTTP proxy");
        assertThatThrownBy(() -> ProxySettings.resolve("socks5://proxy:1080", "", Map.of(), "x"))
                .hasMessageContaining("scheme socks5");
        assertThatThrownBy(() -> ProxySettings.resolve("http://proxy:3128", "pw", Map.of(), "x"))
                .hasMessageContaining("names no user");
        assertThatThrownBy(() -> ProxySettings.resolve("", "", Map.of("https_proxy", "http://:1"), "x"))
                .hasMessageContaining("https_proxy");
    }
}
