package io.edgeflow.update.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.edgeflow.update.internal.DeploymentRecord.State;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;
    final List<String> warnings = new ArrayList<>();

    Journal journal() {
        return new Journal(dir.resolve("updates"), warnings::add);
    }

    static DeploymentRecord record(String id, Instant at) {
        byte[] jar = TestArtifacts.bundle("io.edgeflow.facts.hardware", "0.2.0");
        return DeploymentRecord.accepted(DeploymentRequest.fromJson(TestArtifacts.deployment(id, 7, List.of(
                TestArtifacts.operation("update", "io.edgeflow.facts.hardware", "0.2.0", jar, TestArtifacts
                        .keyPair()), TestArtifacts.uninstall("io.edgeflow.extra"))), 60), at);
    }

    @Test
    void aRecordReadsBackAsItWasWritten() throws IOException {
        DeploymentRecord r = record("dep_1", Instant.parse("2026-12-03T20:00:00.123Z"))
                .withPrevious(List.of(new DeploymentRecord.SavedBundle("io.edgeflow.facts.hardware", true,
                        "reference:file:/x.jar", "0.1.0", "io.edgeflow.facts.hardware-0.1.0.jar", true),
                        new DeploymentRecord.SavedBundle("io.edgeflow.extra", true, "file:/e.jar", "1.0.0", "e.jar",
                                false)),
                        new DeploymentRecord.Baseline(Set.of("a", "b"), Set.of("c"), true, false))
                .withState(State.CHECKING, Instant.parse("2026-12-03T20:00:01Z"))
                .rollingBack("health_check_failed: x", new DeploymentRecord.Failure("b", "c", "boom"))
                .withRestored("io.edgeflow.extra").withReported("applying");
        journal().write(r);
        assertThat(journal().readAll()).containsExactly(r);
        try (Stream<Path> files = Files.list(dir.resolve("updates/journal"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("dep_1.json");
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("updates/journal/dep_1.json")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("updates/journal")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void anUnreadableFileIsReportedAndSkipped() throws IOException {
        journal().write(record("dep_1", Instant.EPOCH));
        Files.writeString(dir.resolve("updates/journal/dep_2.json"), "{\"id\": \"dep_2\", \"state\"");
        assertThat(journal().readAll()).extracting(DeploymentRecord::id).containsExactly("dep_1");
        assertThat(warnings).singleElement().asString().contains("dep_2.json");
    }

    @Test
    void onlyTheLastTwentyFinishedAndReportedRecordsAreKept() throws IOException {
        Journal journal = journal();
        List<DeploymentRecord> all = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            DeploymentRecord r = record("dep_" + i, Instant.EPOCH.plusSeconds(i))
                    .failedWith(State.SUCCEEDED, null, null, Instant.EPOCH.plusSeconds(i));
            if (i != 1) {
                r = r.withReported("succeeded");
            }
            journal.write(r);
            all.add(r);
        }
        List<String> deleted = journal.prune(all);
        assertThat(deleted).as("the oldest, except one the cloud has not acknowledged").containsExactly("dep_0",
                "dep_2", "dep_3", "dep_4", "dep_5");
        assertThat(journal.readAll()).hasSize(20).extracting(DeploymentRecord::id).contains("dep_1");
    }
}
