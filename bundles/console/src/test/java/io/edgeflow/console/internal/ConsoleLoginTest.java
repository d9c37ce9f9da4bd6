package io.edgeflow.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class ConsoleLoginTest {
    private static String basic(String pair) {
        return Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theOperatorsUserAndPasswordOpenTheConsole() {
        ConsoleLogin.Credentials credentials = ConsoleLogin.Credentials.of("operator", "s3cret:with colon");
        assertThat(credentials.check(basic("operator:s3cret:with colon"))).isEqualTo("operator");
    }

    @Test
    void anythingElseIsRefused() {
        ConsoleLogin.Credentials credentials = ConsoleLogin.Credentials.of("operator", "s3cret");
        assertThat(credentials.check(basic("admin:admin"))).isNull();
        assertThat(credentials.check(basic("operator:s3cre"))).isNull();
        assertThat(credentials.check(basic("operator:"))).isNull();
        assertThat(credentials.check(basic("Operator:s3cret"))).isNull();
        assertThat(credentials.check(basic("operator"))).isNull();
        assertThat(credentials.check("not base64 !")).isNull();
    }

    @Test
    void thereIsNoDefaultPassword() {
        assertThat(ConsoleLogin.Credentials.of("admin", "")).isNull();
        assertThat(ConsoleLogin.Credentials.of("admin", null)).isNull();
        assertThatThrownBy(() -> ConsoleLogin.Credentials.of(" ", "x")).hasMessageStartingWith("user");
    }

    @Test
    void onlyTheHashOfThePasswordIsKept() {
        ConsoleLogin.Credentials credentials = ConsoleLogin.Credentials.of("operator", "s3cret");
        assertThat(credentials.toString()).doesNotContain("s3cret");
        assertThat(credentials.passwordHash()).hasSize(32);
    }
}
