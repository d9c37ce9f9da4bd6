package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;

class RelaySecretTest {
    private static String secretOf(RelaySecret s) {
        return s.authorization().substring("EdgeFlow-Relay ".length());
    }

    @Test
    void eachStartMakesAnotherSecretThatOnlyMatchesItself() {
        SecureRandom random = new SecureRandom();
        RelaySecret one = RelaySecret.generate(random);
        RelaySecret two = RelaySecret.generate(random);

        assertThat(one.authorization()).startsWith("EdgeFlow-Relay ");
        assertThat(secretOf(one)).hasSize(43).isNotEqualTo(secretOf(two)); // 256 bits, base64url
        assertThat(one.matches(secretOf(one))).isTrue();
        assertThat(one.matches(secretOf(two))).isFalse();
        assertThat(one.matches(secretOf(one) + "x")).isFalse();
        assertThat(one.matches("")).isFalse();
        assertThat(one.matches(null)).isFalse();
    }

    @Test
    void itsTextNeverShowsTheSecret() {
        RelaySecret secret = RelaySecret.generate(new SecureRandom());
        assertThat(secret.toString()).doesNotContain(secretOf(secret)).isEqualTo("RelaySecret[hidden]");
    }
}
