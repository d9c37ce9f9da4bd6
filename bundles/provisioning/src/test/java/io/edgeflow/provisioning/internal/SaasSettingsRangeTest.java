package io.edgeflow.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Numbers out of their range are refused by name and replaced by their defaults, never used or clamped silently. */
class SaasSettingsRangeTest {
    @Test
    void numbersOutOfRangeAreRefusedByNameAndTheDefaultApplies() {
        SaasSettings s = Configs.settings(Map.of("request_timeout_seconds", 0, "retry_max_delay_seconds", 1_000_000,
                "connect_timeout_seconds", -5, "retry_initial_delay_ms", 0));
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.retry()).isEqualTo(new Backoff.Policy(Duration.ofSeconds(1), Duration.ofSeconds(300)));
        assertThat(s.refusedValues()).containsExactly(
                "connect_timeout_seconds = -5 is out of range (1..300); running with 10",
                "request_timeout_seconds = 0 is out of range (1..600); running with 30",
                "retry_initial_delay_ms = 0 is out of range (1..600000); running with 1000",
                "retry_max_delay_seconds = 1000000 is out of range (1..86400); running with 300");
        assertThat(s.problem()).as("the link itself is fine").isNull();

        SaasSettings good = Configs.settings(Map.of("request_timeout_seconds", 600, "retry_max_delay_seconds", 1));
        assertThat(good.refusedValues()).isEmpty();
        assertThat(good.requestTimeout()).isEqualTo(Duration.ofSeconds(600));
    }
}
