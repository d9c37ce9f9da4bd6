package io.edgeflow.refusedvalues;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.edgeflow.api.status.StatusError;

class RefusedValuesTest {
    private static final Instant FIRST = Instant.parse("2026-12-03T10:00:00Z");
    private static final Instant LATER = Instant.parse("2026-12-03T11:00:00Z");

    @Test
    void aValueInRangeIsKeptAndOneOutsideIsReplacedAndNoted() {
        List<String> refused = new ArrayList<>();

        assertThat(RefusedValues.inRange(1, 1, 300, "connect_timeout_seconds", 10, refused)).isEqualTo(1);
        assertThat(RefusedValues.inRange(300, 1, 300, "connect_timeout_seconds", 10, refused)).isEqualTo(300);
        assertThat(refused).isEmpty();

        assertThat(RefusedValues.inRange(0, 1, 300, "connect_timeout_seconds", 10, refused)).isEqualTo(10);
        assertThat(RefusedValues.inRange(301, 1, 300, "connect_timeout_seconds", 15, refused)).isEqualTo(15);
        assertThat(refused).containsExactly(
                "connect_timeout_seconds = 0 is out of range (1..300); running with 10",
                "connect_timeout_seconds = 301 is out of range (1..300); running with 15");
    }

    @Test
    void aRefusalKeepsTheTimeItWasFirstSeenAndIsHandedOverOnce() {
        List<String> seen = new ArrayList<>();
        List<StatusError> first = RefusedValues.asErrors("io.edgeflow.tunnel",
                List.of("max_body_bytes = 1 is out of range (1024..16777216); running with 1048576"), List.of(),
                FIRST, seen::add);
        List<StatusError> again = RefusedValues.asErrors("io.edgeflow.tunnel",
                List.of("max_body_bytes = 1 is out of range (1024..16777216); running with 1048576",
                        "heartbeat_interval_seconds = 0 is out of range (1..3600); running with 30"),
                first, LATER, seen::add);

        assertThat(again).extracting(StatusError::code).containsOnly("invalid_configuration");
        assertThat(again).extracting(StatusError::message).containsExactly(
                "io.edgeflow.tunnel: max_body_bytes = 1 is out of range (1024..16777216); running with 1048576",
                "io.edgeflow.tunnel: heartbeat_interval_seconds = 0 is out of range (1..3600); running with 30");
        assertThat(again).extracting(StatusError::since).containsExactly(FIRST, LATER);
        assertThat(seen).as("each refusal is told once").containsExactly(
                "io.edgeflow.tunnel: max_body_bytes = 1 is out of range (1024..16777216); running with 1048576",
                "io.edgeflow.tunnel: heartbeat_interval_seconds = 0 is out of range (1..3600); running with 30");
        assertThat(RefusedValues.asErrors("io.edgeflow.tunnel", List.of(), again, LATER, seen::add)).isEmpty();
    }
}
