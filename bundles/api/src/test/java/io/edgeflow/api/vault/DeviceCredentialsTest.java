package io.edgeflow.api.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class DeviceCredentialsTest {
    private static final String KEY = "efk_0123456789abcdefghijklmnopqrstuvwxyz9f2a";

    @Test
    void toStringMasksTheKey() {
        DeviceCredentials credentials = new DeviceCredentials("dev_abc123xyz", KEY.toCharArray(),
                Instant.parse("2027-02-21T00:00:00Z"), "saas.edgx.cloud:443");
        assertThat(credentials.toString()).contains("dev_abc123xyz").contains("efk_…9f2a")
                .doesNotContain("0123456789");
    }

    @Test
    void maskKeepsThePrefixAndTheLastFourOnly() {
        assertThat(DeviceCredentials.mask(KEY.toCharArray())).isEqualTo("efk_…9f2a");
        assertThat(DeviceCredentials.mask("efk_short".toCharArray())).isEqualTo("efk_…");
        assertThat(DeviceCredentials.mask("noprefix-but-long-enough".toCharArray())).isEqualTo("…ough");
        assertThat(DeviceCredentials.mask(new char[0])).isEqualTo("(none)");
        assertThat(DeviceCredentials.mask(null)).isEqualTo("(none)");
    }

    @Test
    void theKeyIsCopiedInAndOutAndCanBeWiped() {
        char[] given = KEY.toCharArray();
        DeviceCredentials credentials = new DeviceCredentials("dev_x", given, null, null);
        given[0] = 'X';
        char[] out = credentials.apiKey();
        assertThat(new String(out)).isEqualTo(KEY);
        out[1] = 'Y';
        assertThat(new String(credentials.apiKey())).isEqualTo(KEY);
        credentials.destroy();
        assertThat(credentials.apiKey()).containsOnly('\0');
    }
}
