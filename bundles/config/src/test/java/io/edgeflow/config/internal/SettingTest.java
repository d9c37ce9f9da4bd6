package io.edgeflow.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import org.junit.jupiter.api.Test;

class SettingTest {
    private static Setting setting(String variable) {
        return Setting.byVariable(variable).orElseThrow();
    }

    @Test
    void everyDocumentedVariableIsMapped() {
        assertThat(Setting.ALL).extracting(Setting::variable).containsExactlyInAnyOrder("EDGEFLOW_HTTP_HOST",
                "EDGEFLOW_HTTP_PORT", "EDGEFLOW_DATA_DIR", "EDGEFLOW_SAAS_ENABLED", "EDGEFLOW_SAAS_URL",
                "EDGEFLOW_PROVISIONING_CODE", "EDGEFLOW_DEVICE_ID", "EDGEFLOW_API_KEY", "EDGEFLOW_SAAS_CA_FILE",
                "EDGEFLOW_HTTPS_PROXY", "EDGEFLOW_HTTPS_PROXY", "EDGEFLOW_SAAS_RETRY_MAX_DELAY", "EDGEFLOW_API_TOKEN",
                "EDGEFLOW_SYSROOT", "EDGEFLOW_SYSROOT", "EDGEFLOW_VAULT_KEY_FILE", "EDGEFLOW_TUNNEL_HEARTBEAT_SECONDS",
                "EDGEFLOW_TUNNEL_BACKOFF_CAP_SECONDS", "EDGEFLOW_TUNNEL_REQUEST_TIMEOUT_SECONDS",
                "EDGEFLOW_TUNNEL_MAX_BODY_BYTES", "EDGEFLOW_UPDATE_TRUSTED_KEYS", "EDGEFLOW_CONSOLE_USER",
                "EDGEFLOW_CONSOLE_PASSWORD");
        assertThat(setting("EDGEFLOW_SAAS_URL").pid()).isEqualTo("io.edgeflow.saas");
        assertThat(setting("EDGEFLOW_HTTP_PORT").property()).isEqualTo("org.osgi.service.http.port");
        assertThat(setting("EDGEFLOW_VAULT_KEY_FILE").pid()).isEqualTo("io.edgeflow.vault");
        assertThat(setting("EDGEFLOW_VAULT_KEY_FILE").property()).isEqualTo("key_file");
    }

    @Test
    void provisioningSettingsLandInTheSaasPidAndSecretsAreMarked() {
        assertThat(Setting.ALL).filteredOn(Setting::secret).extracting(Setting::variable)
                .containsExactlyInAnyOrder("EDGEFLOW_PROVISIONING_CODE", "EDGEFLOW_API_KEY", "EDGEFLOW_HTTPS_PROXY",
                        "EDGEFLOW_HTTPS_PROXY", "EDGEFLOW_API_TOKEN", "EDGEFLOW_CONSOLE_PASSWORD");
        assertThat(setting("EDGEFLOW_PROVISIONING_CODE").property()).isEqualTo(".provisioning_code");
        assertThat(setting("EDGEFLOW_API_KEY").pid()).isEqualTo("io.edgeflow.saas");
        assertThat(setting("EDGEFLOW_DEVICE_ID").property()).isEqualTo("device_id");
        assertThat(setting("EDGEFLOW_SAAS_CA_FILE").convert("/data/cloud/ca.pem")).isEqualTo("/data/cloud/ca.pem");
        assertThatThrownBy(() -> setting("EDGEFLOW_SAAS_CA_FILE").convert("ca.pem")).hasMessageContaining("absolute");
        assertThat(setting("EDGEFLOW_SAAS_RETRY_MAX_DELAY").convert(" 30 ")).isEqualTo(30);
        assertThatThrownBy(() -> setting("EDGEFLOW_SAAS_RETRY_MAX_DELAY").convert("0")).hasMessageContaining("at least 1");
        assertThat(setting("EDGEFLOW_API_TOKEN").pid()).isEqualTo("io.edgeflow.localapi");
        assertThat(setting("EDGEFLOW_API_TOKEN").property()).isEqualTo(".api_token");
    }

    @Test
    void theSystemRootFeedsBothFactCollectors() {
        assertThat(Setting.ALL).filteredOn(s -> s.variable().equals("EDGEFLOW_SYSROOT"))
                .extracting(Setting::pid, Setting::property)
                .containsExactlyInAnyOrder(tuple("io.edgeflow.facts.hardware", "sysroot"),
                        tuple("io.edgeflow.facts.network", "sysroot"));
        assertThat(setting("EDGEFLOW_SYSROOT").convert("/srv/copy")).isEqualTo("/srv/copy");
        assertThatThrownBy(() -> setting("EDGEFLOW_SYSROOT").convert("copy")).hasMessageContaining("absolute");
    }

    @Test
    void portsAreIntegersInRange() {
        Setting port = setting("EDGEFLOW_HTTP_PORT");
        assertThat(port.convert(" 8080 ")).isEqualTo(8080);
        assertThat(port.convert("65535")).isEqualTo(65535);
        assertThatThrownBy(() -> port.convert("0")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> port.convert("65536")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> port.convert("http")).hasMessageContaining("port number");
    }

    @Test
    void tunnelSettingsAreWholeNumbersInTheTunnelPid() {
        Setting heartbeat = setting("EDGEFLOW_TUNNEL_HEARTBEAT_SECONDS");
        assertThat(heartbeat.pid()).isEqualTo("io.edgeflow.tunnel");
        assertThat(heartbeat.property()).isEqualTo("heartbeat_interval_seconds");
        assertThat(heartbeat.convert(" 30 ")).isEqualTo(30);
        assertThatThrownBy(() -> heartbeat.convert("0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> heartbeat.convert("30s")).hasMessageContaining("whole number");
        assertThat(setting("EDGEFLOW_TUNNEL_MAX_BODY_BYTES").convert("65536")).isEqualTo(65536);
        assertThat(setting("EDGEFLOW_TUNNEL_BACKOFF_CAP_SECONDS").property()).isEqualTo("backoff_cap_seconds");
        assertThat(setting("EDGEFLOW_TUNNEL_REQUEST_TIMEOUT_SECONDS").property()).isEqualTo("request_timeout_seconds");
    }

    @Test
    void booleansAcceptTheUsualSpellings() {
        Setting enabled = setting("EDGEFLOW_SAAS_ENABLED");
        for (String yes : new String[] {"true", "TRUE", "yes", "on", "1"}) {
            assertThat(enabled.convert(yes)).isEqualTo(Boolean.TRUE);
        }
        for (String no : new String[] {"false", "No", "off", "0"}) {
            assertThat(enabled.convert(no)).isEqualTo(Boolean.FALSE);
        }
        assertThatThrownBy(() -> enabled.convert("maybe")).hasMessageContaining("true or false");
    }

    @Test
    void hostsAndPathsAreChecked() {
        assertThat(setting("EDGEFLOW_HTTP_HOST").convert("0.0.0.0")).isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> setting("EDGEFLOW_HTTP_HOST").convert("a b")).isInstanceOf(
                IllegalArgumentException.class);
        assertThat(setting("EDGEFLOW_DATA_DIR").convert("/var/lib/edgeflow")).isEqualTo("/var/lib/edgeflow");
        assertThatThrownBy(() -> setting("EDGEFLOW_DATA_DIR").convert("data")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> setting("EDGEFLOW_DATA_DIR").convert("/a\0b")).hasMessageContaining("absolute");
        assertThat(setting("EDGEFLOW_VAULT_KEY_FILE").convert("/etc/edgeflow/vault.key"))
                .isEqualTo("/etc/edgeflow/vault.key");
        assertThatThrownBy(() -> setting("EDGEFLOW_VAULT_KEY_FILE").convert("vault.key"))
                .hasMessageContaining("absolute");
    }

    @Test
    void theConsolePasswordIsAPrivateSecretOfTheConsoleLogin() {
        assertThat(setting("EDGEFLOW_CONSOLE_PASSWORD")).extracting(Setting::pid, Setting::property, Setting::secret)
                .containsExactly("io.edgeflow.console", ".password", true);
        assertThat(setting("EDGEFLOW_CONSOLE_USER")).extracting(Setting::pid, Setting::property, Setting::secret)
                .containsExactly("io.edgeflow.console", "user", false);
        assertThat(EnvironmentImporter.consolePackaged("edgeflow")).isTrue();
        assertThat(EnvironmentImporter.consolePackaged(null)).isFalse();
        assertThat(EnvironmentImporter.hasConsolePassword(java.util.Map.of("user", "admin"))).isFalse();
        assertThat(EnvironmentImporter.hasConsolePassword(java.util.Map.of(".password", "x"))).isTrue();
    }

    @Test
    void trustedKeysAreACommaSeparatedList() {
        Setting keys = setting("EDGEFLOW_UPDATE_TRUSTED_KEYS");
        assertThat(keys.pid()).isEqualTo("io.edgeflow.update");
        assertThat(keys.property()).isEqualTo("trusted_keys");
        assertThat((String[]) keys.convert(" ed25519:AAA= , ,ed25519:BBB= ")).containsExactly("ed25519:AAA=",
                "ed25519:BBB=");
        assertThat((String[]) keys.convert("")).isEmpty();
    }
}
