package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

class SecretPropertiesTest {
    @Test
    void passwordsPrivatePropertiesAndNamesThatSaySoAreSecret() {
        assertThat(SecretProperties.isSecret("anything", Ad.of("anything", AttributeDefinition.PASSWORD))).isTrue();
        for (String name : new String[] {".api_token", ".provisioning_code", ".api_key", "proxy_password",
            "trusted_keys", "client_secret", "ACCESS_TOKEN", "pairing_code", "key_file", "private"}) {
            assertThat(SecretProperties.isSecret(name, Ad.of(name, AttributeDefinition.STRING)))
                    .as(name).isEqualTo(!name.equals("private"));
        }
        // private (a leading '.'): a secret whatever its name says
        assertThat(SecretProperties.isSecret(".device_label", Ad.of(".device_label", AttributeDefinition.STRING)))
                .isTrue();
        assertThat(SecretProperties.isSecretName(".url")).isTrue();
        for (String name : new String[] {"url", "enabled", "heartbeat_interval_seconds", "data_dir", "device_id"}) {
            assertThat(SecretProperties.isSecret(name, null)).as(name).isFalse();
        }
    }

    @Test
    void thePasswordOfAUrlIsMasked() {
        assertThat(SecretProperties.maskUrlPasswords("http://proxyuser:hunter2@proxy.lan:3128"))
                .isEqualTo("http://proxyuser:****@proxy.lan:3128");
        assertThat(SecretProperties.maskUrlPasswords("http://proxyuser@proxy.lan:3128"))
                .isEqualTo("http://proxyuser@proxy.lan:3128");
        assertThat(SecretProperties.maskUrlPasswords("saas.edgx.cloud:443")).isEqualTo("saas.edgx.cloud:443");
        assertThat(AttributeValues.toJson(new String[] {"https://a:b@c"})).isEqualTo(java.util.List.of("https://a:****@c"));
    }
}
