package io.edgeflow.facts.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootFilesTest {
    @TempDir
    Path root;

    @Test
    void anExpectedFileThatIsMissingIsAWarningOfItsOwn() {
        List<String> warnings = new ArrayList<>();
        RootFiles files = new RootFiles(root, warnings);

        assertThat(files.expectedText("/proc/net/route", "routes", ": the primary interface is guessed")).isEmpty();
        assertThat(files.expectedText("/proc/meminfo", "ram_mb", "")).isEmpty();

        assertThat(warnings).containsExactly(
                "routes: " + root.resolve("proc/net/route") + " is missing: the primary interface is guessed",
                "ram_mb: " + root.resolve("proc/meminfo") + " is missing");
    }

    @Test
    void anExpectedFileThatIsThereIsReadWithoutAWarning() throws IOException {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:        1024 kB\n");
        List<String> warnings = new ArrayList<>();

        assertThat(new RootFiles(root, warnings).expectedText("/proc/meminfo", "ram_mb", ""))
                .contains("MemTotal:        1024 kB\n");
        assertThat(warnings).isEmpty();
    }

    @Test
    void anExpectedFileThatCannotBeReadIsWarnedAboutOnceAndNotCalledMissing() throws IOException {
        Files.createDirectories(root.resolve("proc/meminfo")); // a directory where the file should be
        List<String> warnings = new ArrayList<>();

        assertThat(new RootFiles(root, warnings).expectedText("/proc/meminfo", "ram_mb", "")).isEmpty();
        assertThat(warnings).hasSize(1).noneMatch(w -> w.contains("is missing"));
    }
}
