package io.edgeflow.endpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The link's settings: a setting that cannot work is a problem with its stable code, never an endpoint. */
class LinkSettingsTest {

    private static LinkConfiguration config(String url, String caFile, String proxy) {
        return new LinkConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return LinkConfiguration.class;
            }

            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public String ca__file() {
                return caFile;
            }

            @Override
            public String proxy() {
                return proxy;
            }

            @Override
            public String _proxy__password() {
                return "";
            }

            @Override
            public int connect__timeout__seconds() {
                return 0; // out of range: the default applies
            }
        };
    }

    @Test
    void aUsableAddressIsAnEndpoint() {
        LinkSettings s = LinkSettings.of(config("127.0.0.1:8443", "", "direct"), Map.of());
        assertThat(s.problem()).isNull();
        assertThat(s.endpoint().address().baseUri().toString()).isEqualTo("https://127.0.0.1:8443");
        assertThat(s.endpoint().connectTimeout().getSeconds()).isEqualTo(10);
    }

    @Test
    void eachUnusableSettingHasItsCode() {
        LinkSettings http = LinkSettings.of(config("http://saas.edgx.cloud:80", "", ""), Map.of());
        assertThat(http.endpoint()).isNull();
        assertThat(http.problem().code()).isEqualTo("saas_url_invalid");
        assertThat(http.problem().message()).contains("HTTPS only").contains("https://saas.edgx.cloud:80");

        LinkSettings ca = LinkSettings.of(config("127.0.0.1:8443", "ca.pem", ""), Map.of());
        assertThat(ca.problem().code()).isEqualTo("ca_file_invalid");
        assertThat(ca.problem().message()).contains("absolute");

        LinkSettings proxy = LinkSettings.of(config("127.0.0.1:8443", "", "socks5://127.0.0.1:1080"), Map.of());
        assertThat(proxy.problem().code()).isEqualTo("proxy_invalid");
    }
}
