package io.edgeflow.facts.hardware.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.edgeflow.api.facts.HardwareFacts;

import org.junit.jupiter.api.Test;

/** The collector on the machine that runs the test, checked against what the usual tools say. */
class HostMachineTest {

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
        return out;
    }

    @Test
    void agreesWithUnameNprocAndMeminfo() throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "a Linux machine");
        HardwareFacts facts = new HardwareCollector(Path.of("/"), Jvm.current()).collect();

        assertThat(facts.kernel()).isEqualTo(run("uname", "-r"));
        assertThat(facts.os()).isEqualTo("linux");
        assertThat(facts.arch()).isEqualTo(GoPlatform.arch(run("uname", "-m")));
        // nproc counts the CPUs this process may use; online counts them all: equal unless pinned
        int nproc = Integer.parseInt(run("nproc"));
        assertThat(facts.cpuCores()).isGreaterThanOrEqualTo(nproc);
        assertThat(facts.cpuCores()).isEqualTo(Integer.parseInt(run("getconf", "_NPROCESSORS_ONLN")));

        long memTotalKb = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:")).map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong)
                .findFirst().orElseThrow();
        assertThat(facts.ramMb()).isEqualTo(memTotalKb / 1024);

        if (Files.exists(Path.of("/proc/device-tree/model"))) {
            assertThat(facts.boardModelSource()).isEqualTo("device-tree");
        }
        assertThat(facts.warnings()).allMatch(w -> w.startsWith("board_model") || w.startsWith("serial"));
    }
}
