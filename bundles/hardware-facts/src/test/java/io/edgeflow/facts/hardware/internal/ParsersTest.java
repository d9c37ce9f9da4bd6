package io.edgeflow.facts.hardware.internal;

import io.edgeflow.facts.fixtures.FixtureFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each parser against real files (see src/test/fixtures/SOURCES.md) and against their truncations. */
class ParsersTest {

    @Test
    void cpuinfoOfARaspberryPi3WithCrlfAndSpacesCountsFourProcessorsAndReadsTheSerial() {
        CpuInfo cpu = CpuInfo.parse(FixtureFiles.text("raspberry-pi-3/proc/cpuinfo"));
        assertThat(cpu.processors()).isEqualTo(4);
        assertThat(cpu.serial()).isEqualTo("000000007881bb80");
        assertThat(cpu.model()).isNull(); // this kernel wrote no Model line
    }

    @Test
    void cpuinfoOfAPineA64DoesNotCountTheProcessorNameLines() {
        // each block has both "processor : N" and "Processor : AArch64 Processor rev 4"
        assertThat(CpuInfo.parse(FixtureFiles.text("pine-a64/proc/cpuinfo")).processors()).isEqualTo(4);
    }

    @Test
    void cpuinfoOfAnOldArm720tBoardHasNoProcessorEntriesAndAZeroSerial() {
        CpuInfo cpu = CpuInfo.parse(FixtureFiles.text("sep4020-board/proc/cpuinfo"));
        assertThat(cpu.processors()).isZero(); // "Processor : ARM720T rev 2 (v4l)" names the CPU
        assertThat(cpu.serial()).isEqualTo("0000000000000000");
    }

    @Test
    void cpuinfoOfRiscVAndX86() {
        assertThat(CpuInfo.parse(FixtureFiles.text("starfive-visionfive-2/proc/cpuinfo")).processors()).isEqualTo(4);
        assertThat(CpuInfo.parse(FixtureFiles.text("firecracker-vm/proc/cpuinfo")).processors()).isEqualTo(2);
    }

    @Test
    void aTruncatedCpuinfoCountsWhatItHolds() {
        String whole = FixtureFiles.text("raspberry-pi-3/proc/cpuinfo");
        CpuInfo cut = CpuInfo.parse(whole.substring(0, whole.indexOf("processor   : 2")));
        assertThat(cut.processors()).isEqualTo(2);
        assertThat(cut.serial()).isNull();
        assertThat(CpuInfo.parse("")).isEqualTo(CpuInfo.NONE);
    }

    @Test
    void cpuListsCountOnlineCpusAndRejectGarbage() {
        assertThat(CpuList.count(FixtureFiles.text("firecracker-vm/sys/devices/system/cpu/online"))).hasValue(2);
        assertThat(CpuList.count(FixtureFiles.text("starfive-visionfive-2/sys/devices/system/cpu/possible"))).hasValue(4);
        assertThat(CpuList.count("0,2-5,7\n")).hasValue(6);
        assertThat(CpuList.count("0-")).isEmpty(); // "0-1\n" cut after two bytes
        assertThat(CpuList.count("")).isEmpty();
        assertThat(CpuList.count("3-1")).isEmpty();
        assertThat(CpuList.count("zero")).isEmpty();
        assertThat(CpuList.count("0-99999999")).isEmpty();
    }

    @Test
    void memTotalIsInMibRoundedDown() {
        assertThat(MemInfo.totalMib(FixtureFiles.text("files/meminfo/node-exporter"))).hasValue(3742148L / 1024);
        assertThat(MemInfo.totalMib(FixtureFiles.text("files/meminfo/node-exporter"))).hasValue(3654L);
        assertThat(MemInfo.totalMib(FixtureFiles.text("files/meminfo/truncated-in-label"))).isEmpty();
        assertThat(MemInfo.totalMib(FixtureFiles.text("files/meminfo/truncated-in-number"))).isEmpty();
        assertThat(MemInfo.totalMib("")).isEmpty();
    }

    @Test
    void deviceTreeStringsLoseTheirNulAndWhiteSpace() {
        assertThat(DeviceTree.string(FixtureFiles.text("raspberry-pi-3/proc/device-tree/model")))
                .hasValue("Raspberry Pi 3 Model B Rev 1.2");
        assertThat(DeviceTree.string(FixtureFiles.text("raspberry-pi-4/proc/device-tree/model")))
                .hasValue("Raspberry Pi 4 Model B Rev 1.1");
        assertThat(DeviceTree.string(FixtureFiles.text("odroid-c1-plus/proc/device-tree/model"))).hasValue("AMLOGIC");
        assertThat(DeviceTree.string(FixtureFiles.text("nextthing-chip/sys/firmware/devicetree/base/compatible")))
                .hasValue("nextthing,chip");
        assertThat(DeviceTree.string("Some Board\n")).hasValue("Some Board"); // no NUL at all
        assertThat(DeviceTree.string("Some Board\0\0\0")).hasValue("Some Board");
        assertThat(DeviceTree.string("\0")).isEmpty();
        assertThat(DeviceTree.string("")).isEmpty();
        assertThatThrownBy(() -> DeviceTree.string("\u0001\u0002\u00ff\uFFFD")).hasMessageContaining("text");
    }

    @Test
    void dmiNamesVendorAndProductAndIgnoresPlaceholders() {
        assertThat(Dmi.model(FixtureFiles.text("dell-poweredge-r6515/sys/class/dmi/id/sys_vendor"),
                FixtureFiles.text("dell-poweredge-r6515/sys/class/dmi/id/product_name")))
                .isEqualTo("Dell Inc. PowerEdge R6515");
        assertThat(Dmi.model("To be filled by O.E.M.\n", "Q87M-E\n")).isEqualTo("Q87M-E");
        assertThat(Dmi.model("System manufacturer\n", "System Product Name\n")).isNull();
        assertThat(Dmi.model("LENOVO", "LENOVO ThinkCentre")).isEqualTo("LENOVO ThinkCentre");
        assertThat(Dmi.model("Dell Inc.", "\n")).isNull();
        assertThat(Dmi.model(null, null)).isNull();
    }

    @Test
    void architecturesAndSystemsAreNamedAsGoNamesThem() {
        assertThat(GoPlatform.arch("aarch64")).isEqualTo("arm64");
        assertThat(GoPlatform.arch("x86_64")).isEqualTo("amd64");
        assertThat(GoPlatform.arch("amd64")).isEqualTo("amd64"); // JVM os.arch
        assertThat(GoPlatform.arch("armv7l")).isEqualTo("arm");
        assertThat(GoPlatform.arch("armv6l")).isEqualTo("arm");
        assertThat(GoPlatform.arch("arm")).isEqualTo("arm");
        assertThat(GoPlatform.arch("i686")).isEqualTo("386");
        assertThat(GoPlatform.arch("x86")).isEqualTo("386");
        assertThat(GoPlatform.arch("riscv64")).isEqualTo("riscv64");
        assertThat(GoPlatform.arch("mipsel")).isEqualTo("mipsle");
        assertThat(GoPlatform.arch("ppc64le")).isEqualTo("ppc64le");
        assertThat(GoPlatform.arch("vax")).isNull();
        assertThat(GoPlatform.os("Linux")).isEqualTo("linux");
        assertThat(GoPlatform.os("Mac OS X")).isEqualTo("darwin");
        assertThat(GoPlatform.os("Windows 11")).isEqualTo("windows");
    }

    @Test
    void kernelReleaseIsTheThirdWordOfProcVersion() {
        assertThat(KernelVersion.fromProcVersion(FixtureFiles.text("firecracker-vm/proc/version")))
                .hasValue("6.18.44-fc-v657");
        assertThat(KernelVersion.fromProcVersion("Linux version")).isEmpty();
        assertThat(KernelVersion.fromProcVersion("#91 Sat Mar 31 10:10:05 CST 2012\n")).isEmpty();
        assertThat(KernelVersion.release(FixtureFiles.text("firecracker-vm/proc/sys/kernel/osrelease")))
                .hasValue("6.18.44-fc-v657");
        assertThat(KernelVersion.release("\n")).isEmpty();
        assertThat(KernelVersion.release("6.1 and more")).isEmpty();
    }
}
