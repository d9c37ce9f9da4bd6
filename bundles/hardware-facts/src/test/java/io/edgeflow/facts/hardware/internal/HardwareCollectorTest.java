package io.edgeflow.facts.hardware.internal;

import io.edgeflow.facts.fixtures.FixtureFiles;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.edgeflow.api.facts.HardwareFacts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole machines: each fixture root is a copy of (part of) a real machine's /proc and /sys. */
class HardwareCollectorTest {

    private static HardwareFacts collect(String fixture) {
        return new HardwareCollector(FixtureFiles.root(fixture), Fixtures.ARM64_JVM).collect();
    }

    @Test
    void aRaspberryPi3IsNamedByItsDeviceTree() {
        HardwareFacts facts = collect("raspberry-pi-3");
        assertThat(facts.boardModel()).isEqualTo("Raspberry Pi 3 Model B Rev 1.2");
        assertThat(facts.boardModelSource()).isEqualTo("device-tree");
        assertThat(facts.cpuCores()).isEqualTo(4); // no online file in the copy: the processor entries
        assertThat(facts.serial()).isEqualTo("000000007881bb80");
        assertThat(facts.os()).isEqualTo("linux");
        assertThat(facts.arch()).isEqualTo("arm64");
        // what the copy lacks is said, and left out
        assertThat(facts.ramMb()).isNull();
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("ram_mb: ").contains("meminfo"));
        assertThat(facts.kernel()).isEqualTo("9.9.9-jvm");
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("kernel: ").contains("Java runtime"));
    }

    @Test
    void otherArmBoardsAreNamedByTheirDeviceTreeWhereverTheKernelShowsIt() {
        assertThat(collect("odroid-c1-plus").boardModel()).isEqualTo("AMLOGIC");
        assertThat(collect("raspberry-pi-4").boardModel()).isEqualTo("Raspberry Pi 4 Model B Rev 1.1");
        HardwareFacts chip = collect("nextthing-chip"); // only /sys/firmware/devicetree/base, no /proc link
        assertThat(chip.boardModel()).isEqualTo("NextThing C.H.I.P.");
        assertThat(chip.boardModelSource()).isEqualTo("device-tree");
        assertThat(collect("raspberry-pi-3-b-plus").boardModel()).isEqualTo("Raspberry Pi 3 Model B Plus Rev 1.3");
    }

    @Test
    void aDeviceTreeWithoutModelIsNotAnErrorButLeavesTheModelOut() {
        HardwareFacts facts = collect("device-tree-without-model");
        assertThat(facts.boardModel()).isNull();
        assertThat(facts.boardModelSource()).isNull();
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("board_model: not found"));
        assertThat(facts.os()).isEqualTo("linux"); // the rest is still reported
    }

    @Test
    void anX86ServerIsNamedByDmi() {
        HardwareFacts facts = collect("dell-poweredge-r6515");
        assertThat(facts.boardModel()).isEqualTo("Dell Inc. PowerEdge R6515");
        assertThat(facts.boardModelSource()).isEqualTo("dmi");
        assertThat(facts.serial()).isNull();
    }

    @Test
    void aPineA64WithoutDeviceTreeOrModelLineStillCountsItsCores() {
        HardwareFacts facts = collect("pine-a64");
        assertThat(facts.boardModel()).isNull();
        assertThat(facts.cpuCores()).isEqualTo(4);
        assertThat(facts.serial()).isNull();
    }

    @Test
    void anOldArmBoardWithNothingButCpuinfoFallsBackToTheJvmForCoresAndHasNoSerial() {
        HardwareFacts facts = collect("sep4020-board");
        assertThat(facts.cpuCores()).isEqualTo(6); // the JVM's count, said so
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("cpu_cores: taken from the Java"));
        assertThat(facts.serial()).isNull(); // Serial : 0000000000000000 is a placeholder
        assertThat(facts.boardModel()).isNull(); // "Hardware : 4020 board" is not a Model line
    }

    @Test
    void coresAreNeverThePossibleRange() {
        // possible and present say 0-3 but there is no online file: the processor entries decide
        HardwareFacts facts = collect("starfive-visionfive-2");
        assertThat(facts.cpuCores()).isEqualTo(4);
        assertThat(facts.warnings()).noneMatch(w -> w.startsWith("cpu_cores"));
    }

    @Test
    void thisX86MachineCopied() {
        HardwareFacts facts = new HardwareCollector(FixtureFiles.root("firecracker-vm"),
                new Jvm(99, "Linux", "amd64", "0")).collect();
        assertThat(facts.cpuCores()).isEqualTo(2);
        assertThat(facts.ramMb()).isEqualTo(24684092L / 1024);
        assertThat(facts.kernel()).isEqualTo("6.18.44-fc-v657");
        assertThat(facts.arch()).isEqualTo("amd64");
        assertThat(facts.boardModel()).isNull(); // a VM without DMI or device tree
        assertThat(facts.warnings()).hasSize(1).allMatch(w -> w.startsWith("board_model: not found"));
    }

    @Test
    void emptyFilesLeaveTheirFieldsOutWithAWarningEach(@TempDir Path root) throws IOException {
        for (String file : new String[] {"proc/device-tree/model", "sys/devices/system/cpu/online", "proc/meminfo",
                "proc/sys/kernel/osrelease", "proc/version", "proc/cpuinfo"}) {
            Files.createDirectories(root.resolve(file).getParent());
            Files.write(root.resolve(file), new byte[0]);
        }
        HardwareFacts facts = new HardwareCollector(root, Fixtures.ARM64_JVM).collect();
        assertThat(facts.boardModel()).isNull();
        assertThat(facts.ramMb()).isNull();
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("model is empty"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("online is not a CPU list"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("meminfo has no complete MemTotal"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("osrelease is not a kernel release"));
        assertThat(facts.cpuCores()).isEqualTo(6);
    }

    @Test
    void truncatedAndUnreadableFilesAreWarnedAbout(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        Files.copy(FixtureFiles.DIR.resolve("files/meminfo/truncated-in-number"), root.resolve("proc/meminfo"));
        Files.writeString(root.resolve("sys/devices/system/cpu/online"), "0-"); // "0-1\n" cut short
        Files.copy(FixtureFiles.DIR.resolve("raspberry-pi-3/proc/cpuinfo"), root.resolve("proc/cpuinfo"));
        Files.createDirectories(root.resolve("proc/sys/kernel/osrelease")); // a directory cannot be read
        HardwareFacts facts = new HardwareCollector(root, Fixtures.ARM64_JVM).collect();
        assertThat(facts.ramMb()).isNull();
        assertThat(facts.cpuCores()).isEqualTo(4); // from cpuinfo after the garbled online file
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("online is not a CPU list ('0-')"));
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).startsWith("kernel: ").contains("could not be read"));
    }

    @Test
    void aRootThatDoesNotExistGivesWarningsNotExceptions() {
        HardwareFacts facts = new HardwareCollector(Path.of("/nonexistent/edgeflow-root"), Fixtures.ARM64_JVM)
                .collect();
        assertThat(facts.boardModel()).isNull();
        assertThat(facts.ramMb()).isNull();
        assertThat(facts.cpuCores()).isEqualTo(6);
        assertThat(facts.os()).isEqualTo("linux");
        assertThat(facts.warnings()).isNotEmpty();
    }

    @Test
    void garbageInTheDeviceTreeIsRejected(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("proc/device-tree"));
        Files.write(root.resolve("proc/device-tree/model"), new byte[] {(byte) 0xff, (byte) 0xfe, 1, 2, 0});
        HardwareFacts facts = new HardwareCollector(root, Fixtures.ARM64_JVM).collect();
        assertThat(facts.boardModel()).isNull();
        assertThat(facts.warnings()).anySatisfy(w -> assertThat(w).contains("model does not hold text"));
    }
}
