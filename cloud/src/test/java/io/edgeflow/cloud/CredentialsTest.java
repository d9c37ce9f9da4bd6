package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.credentials.ProvisioningCode;
import io.edgeflow.cloud.credentials.SecretToken;

class CredentialsTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void codesHaveTheDocumentedShapeAndFortyBits() {
        Set<String> seen = new HashSet<>();
        Set<Character> symbols = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String code = ProvisioningCode.generate(random).value();
            assertThat(code).matches("PROV-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}");
            assertThat(seen.add(code)).as("codes repeat").isTrue();
            for (char c : code.substring(5).replace("-", "").toCharArray()) {
                symbols.add(c);
            }
        }
        assertThat(ProvisioningCode.BITS).isGreaterThanOrEqualTo(40);
        assertThat(symbols).as("all 32 symbols are used").hasSize(32);
    }

    @Test
    void codesAreReadCaseInsensitivelyWithOrWithoutDashes() {
        String canonical = "PROV-A1B2-C3D4";
        for (String typed : new String[] {"PROV-A1B2-C3D4", "prov-a1b2-c3d4", "PROVA1B2C3D4", "provA1b2c3d4",
            "A1B2C3D4", "a1b2-c3d4", " prov-a1b2-c3d4 ", "PROV-AIB2-C3D4", "PROV-ALB2-C3D4"}) {
            assertThat(ProvisioningCode.parse(typed)).as(typed).map(ProvisioningCode::value).contains(canonical);
        }
        for (String bad : new String[] {"", "PROV-A1B2", "PROV-A1B2-C3D45", "PROV-A1B2-C3DU", "XXXX-A1B2-C3D4",
            "PROV-A1B2-C3D!", "PROV-ÄÄÄÄ-C3D4"}) {
            assertThat(ProvisioningCode.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void aCodeIsReadAsTheAgentReadsIt() {
        // the agent strips Unicode white space around a pasted code (String.strip); the cloud reads a code
        // with the same method (io.edgeflow.protocol.CodeFormat), so it accepts what the agent accepts
        for (String typed : new String[] {"\u2003PROV-A1B2-C3D4\u2003", "\u3000prov-a1b2-c3d4", "PROV-A1B2-C3D4\u2029"}) {
            assertThat(ProvisioningCode.parse(typed)).as(typed).map(ProvisioningCode::value).contains("PROV-A1B2-C3D4");
        }
    }

    @Test
    void codesAreMaskedAndNeverPrintedWhole() {
        ProvisioningCode code = ProvisioningCode.parse("PROV-A1B2-C3D4").orElseThrow();
        assertThat(code.masked()).isEqualTo("PROV-****-C3D4");
        assertThat(code.toString()).isEqualTo("PROV-****-C3D4");
    }

    @Test
    void apiKeysCarryMoreThan256BitsAfterThePrefix() {
        String key = SecretToken.generate(random, SecretToken.API_KEY_PREFIX);
        assertThat(key).startsWith("efk_").hasSize(4 + 52).matches("efk_[0-9a-hjkmnp-tv-z]{52}");
        assertThat(SecretToken.SYMBOLS * 5).isGreaterThanOrEqualTo(256);
        assertThat(SecretToken.generate(random, SecretToken.API_KEY_PREFIX)).isNotEqualTo(key);
        assertThat(SecretToken.mask("efk_", SecretToken.hint(key))).isEqualTo("efk_…" + key.substring(52));
    }

    @Test
    void hashesCompare() {
        String h = Hashes.sha256("efk_abc");
        assertThat(h).hasSize(64).isEqualTo(Hashes.sha256("efk_abc"));
        assertThat(Hashes.equal(h, Hashes.sha256("efk_abc"))).isTrue();
        assertThat(Hashes.equal(h, Hashes.sha256("efk_abd"))).isFalse();
        assertThat(Hashes.equal(h, null)).isFalse();
        byte[] key1 = new byte[32];
        byte[] key2 = new byte[32];
        key2[0] = 1;
        ProvisioningCode code = ProvisioningCode.parse("PROV-A1B2-C3D4").orElseThrow();
        assertThat(Hashes.codeHash(key1, code)).isNotEqualTo(Hashes.codeHash(key2, code))
                .isNotEqualTo(Hashes.sha256(code.value()));
    }

    @Test
    void durationsAsPeopleWriteThem() {
        assertThat(Durations.parse("24h", "--ttl")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("90", "--ttl")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1h30m", "--ttl")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("30d", "--ttl")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parse("10M", "--ttl")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThatThrownBy(() -> Durations.parse("1 day", "--ttl")).hasMessageContaining("--ttl")
                .hasMessageContaining("'1 day'");
        assertThatThrownBy(() -> Durations.parse("h", "--ttl")).isInstanceOf(IllegalArgumentException.class);
    }
}
