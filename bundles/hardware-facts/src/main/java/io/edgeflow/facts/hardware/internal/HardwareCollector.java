package io.edgeflow.facts.hardware.internal;

import io.edgeflow.facts.files.RootFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.edgeflow.api.facts.HardwareFacts;

/**
 * Reads the hardware facts of the machine whose {@code /proc} and {@code /sys} lie below a root. Never
 * throws: a fact it cannot establish is null, with a readable warning saying why.
 */
final class HardwareCollector {
    static final String DEVICE_TREE = "device-tree";
    static final String DMI = "dmi";
    static final String CPUINFO = "cpuinfo";

    private static final Pattern ALL_ZEROS = Pattern.compile("0+");

    private final Path root;
    private final Jvm jvm;

    /**
     * @param root the machine's root, {@code /} on the device itself
     * @param jvm what the Java runtime says, the last resort
     */
    HardwareCollector(Path root, Jvm jvm) {
        this.root = root;
        this.jvm = jvm;
    }

    /** @return the facts, never null */
    HardwareFacts collect() {
        List<String> warnings = new ArrayList<>();
        RootFiles files = new RootFiles(root, warnings);
        CpuInfo cpu = guard(files, "cpuinfo", () -> cpuInfo(files), CpuInfo.NONE);
        String[] board = guard(files, "board_model", () -> boardModel(files, cpu), null);
        Integer cores = guard(files, "cpu_cores", () -> cpuCores(files, cpu), null);
        Long ram = guard(files, "ram_mb", () -> ramMb(files), null);
        String os = guard(files, "os", () -> os(files), null);
        String arch = guard(files, "arch", () -> arch(files), null);
        String kernel = guard(files, "kernel", () -> kernel(files), null);
        String serial = guard(files, "serial", () -> serial(files, cpu), null);
        return new HardwareFacts(board == null ? null : board[0], board == null ? null : board[1], cores, ram, os,
                arch, kernel, serial, warnings);
    }

    /** A defect in a parser costs one fact, never the others. */
    private static <T> T guard(RootFiles files, String field, Supplier<T> reader, T fallback) {
        try {
            return reader.get();
        } catch (RuntimeException e) {
            files.warn(field, "not read because of an internal error (" + e + ")");
            return fallback;
        }
    }

    private static CpuInfo cpuInfo(RootFiles files) {
        return files.text("/proc/cpuinfo", "cpuinfo").map(CpuInfo::parse).orElse(CpuInfo.NONE);
    }

    /** @return {model, source}, or null */
    private static String[] boardModel(RootFiles files, CpuInfo cpu) {
        for (String dir : DeviceTree.DIRECTORIES) {
            String file = dir + "/model";
            Optional<String> text = files.text(file, "board_model");
            if (text.isEmpty()) {
                continue;
            }
            try {
                Optional<String> model = DeviceTree.string(text.get());
                if (model.isPresent()) {
                    return new String[] {model.get(), DEVICE_TREE};
                }
                files.warn("board_model", files.show(file) + " is empty");
            } catch (IllegalArgumentException e) {
                files.warn("board_model", files.show(file) + " " + e.getMessage());
            }
        }
        String vendor = files.text("/sys/class/dmi/id/sys_vendor", "board_model").orElse(null);
        String product = files.text("/sys/class/dmi/id/product_name", "board_model").orElse(null);
        String dmi = Dmi.model(vendor, product);
        if (dmi != null) {
            return new String[] {dmi, DMI};
        }
        if (cpu.model() != null) {
            return new String[] {cpu.model(), CPUINFO};
        }
        files.warn("board_model", "not found: no device-tree model (" + files.show("/proc/device-tree/model")
                + "), no DMI product name (" + files.show("/sys/class/dmi/id/product_name")
                + ") and no Model line in " + files.show("/proc/cpuinfo"));
        return null;
    }

    private Integer cpuCores(RootFiles files, CpuInfo cpu) {
        String online = "/sys/devices/system/cpu/online";
        Optional<String> text = files.text(online, "cpu_cores");
        if (text.isPresent()) {
            OptionalInt count = CpuList.count(text.get());
            if (count.isPresent() && count.getAsInt() > 0) {
                return count.getAsInt();
            }
            files.warn("cpu_cores", files.show(online) + " is not a CPU list (" + printable(text.get()) + ")");
        }
        if (cpu.processors() > 0) {
            return cpu.processors();
        }
        files.warn("cpu_cores", "taken from the Java runtime: neither " + files.show(online) + " nor the processor "
                + "entries of " + files.show("/proc/cpuinfo") + " could be read");
        return jvm.availableProcessors();
    }

    private static Long ramMb(RootFiles files) {
        String meminfo = "/proc/meminfo";
        Optional<String> text = files.expectedText(meminfo, "ram_mb", "");
        if (text.isEmpty()) {
            return null;
        }
        OptionalLong mib = MemInfo.totalMib(text.get());
        if (mib.isEmpty()) {
            files.warn("ram_mb", files.show(meminfo) + " has no complete MemTotal line");
            return null;
        }
        return mib.getAsLong();
    }

    private String os(RootFiles files) {
        Optional<String> ostype = files.text("/proc/sys/kernel/ostype", "os").map(String::strip)
                .filter(s -> !s.isEmpty());
        return GoPlatform.os(ostype.orElse(jvm.osName()));
    }

    private String arch(RootFiles files) {
        // /proc/sys/kernel/arch is uname -m (Linux 6.1 and later); older kernels leave the JVM to say it
        String file = "/proc/sys/kernel/arch";
        Optional<String> machine = files.text(file, "arch").map(String::strip).filter(s -> !s.isEmpty());
        if (machine.isPresent()) {
            String arch = GoPlatform.arch(machine.get());
            if (arch != null) {
                return arch;
            }
            files.warn("arch", files.show(file) + " names an unknown architecture (" + printable(machine.get())
                    + ")");
        }
        String arch = GoPlatform.arch(jvm.osArch());
        if (arch == null) {
            files.warn("arch", "the Java runtime names an unknown architecture (" + printable(jvm.osArch()) + ")");
        }
        return arch;
    }

    private String kernel(RootFiles files) {
        String osrelease = "/proc/sys/kernel/osrelease";
        Optional<String> text = files.text(osrelease, "kernel");
        if (text.isPresent()) {
            Optional<String> release = KernelVersion.release(text.get());
            if (release.isPresent()) {
                return release.get();
            }
            files.warn("kernel", files.show(osrelease) + " is not a kernel release (" + printable(text.get()) + ")");
        }
        String version = "/proc/version";
        Optional<String> versionText = files.text(version, "kernel");
        if (versionText.isPresent()) {
            Optional<String> release = KernelVersion.fromProcVersion(versionText.get());
            if (release.isPresent()) {
                return release.get();
            }
            files.warn("kernel", files.show(version) + " does not start with 'Linux version <release>'");
        }
        Optional<String> fromJvm = KernelVersion.release(jvm.osVersion());
        files.warn("kernel", "taken from the Java runtime: neither " + files.show(osrelease) + " nor "
                + files.show(version) + " could be read");
        return fromJvm.orElse(null);
    }

    private static String serial(RootFiles files, CpuInfo cpu) {
        for (String dir : DeviceTree.DIRECTORIES) {
            String file = dir + "/serial-number";
            Optional<String> text = files.text(file, "serial");
            if (text.isEmpty()) {
                continue;
            }
            try {
                Optional<String> serial = DeviceTree.string(text.get()).filter(s -> !ALL_ZEROS.matcher(s).matches());
                if (serial.isPresent()) {
                    return serial.get();
                }
            } catch (IllegalArgumentException e) {
                files.warn("serial", files.show(file) + " " + e.getMessage());
            }
        }
        String serial = cpu.serial();
        if (serial == null || ALL_ZEROS.matcher(serial).matches()) {
            return null; // many machines have none; an all-zero placeholder is none too
        }
        return serial;
    }

    /** A file's text, short and safe to put in a warning. */
    static String printable(String text) {
        String s = text.strip();
        if (s.length() > 60) {
            s = s.substring(0, 60) + "…";
        }
        return "'" + s.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
