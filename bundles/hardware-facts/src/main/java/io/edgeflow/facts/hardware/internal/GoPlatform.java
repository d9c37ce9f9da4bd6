package io.edgeflow.facts.hardware.internal;

import java.util.Locale;

/**
 * Operating system and architecture names as Go spells them ({@code runtime.GOOS}, {@code runtime.GOARCH}),
 * which is what the cloud expects, from what the kernel ({@code uname -m}) or the JVM ({@code os.arch})
 * says.
 */
final class GoPlatform {
    private GoPlatform() {
    }

    /**
     * @param name {@code Linux} (the kernel's ostype) or a JVM {@code os.name}
     * @return the Go name: {@code linux}, {@code darwin}, {@code windows}, ...
     */
    static String os(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.startsWith("windows")) {
            return "windows";
        }
        if (n.startsWith("mac") || n.equals("darwin")) {
            return "darwin";
        }
        return n.replace(" ", "");
    }

    /**
     * @param machine a kernel machine name ({@code aarch64}, {@code armv7l}, {@code x86_64}, {@code i686})
     *        or a JVM {@code os.arch} ({@code amd64}, {@code x86}, {@code arm})
     * @return the Go name ({@code arm64}, {@code arm}, {@code amd64}, {@code 386}, ...), or null when unknown
     */
    static String arch(String machine) {
        String m = machine.strip().toLowerCase(Locale.ROOT);
        if (m.isEmpty()) {
            return null;
        }
        return switch (m) {
            case "x86_64", "amd64", "x64" -> "amd64";
            case "i386", "i486", "i586", "i686", "x86", "i86pc" -> "386";
            case "aarch64", "arm64", "aarch64_be" -> "arm64";
            case "riscv64" -> "riscv64";
            case "ppc64le", "ppc64el" -> "ppc64le";
            case "ppc64" -> "ppc64";
            case "s390x" -> "s390x";
            case "mips" -> "mips";
            case "mipsel", "mipsle" -> "mipsle";
            case "mips64" -> "mips64";
            case "mips64el", "mips64le" -> "mips64le";
            case "loongarch64", "loong64" -> "loong64";
            default -> m.startsWith("arm") ? "arm" : null; // arm, armv5tel, armv6l, armv7l, armv8l (32-bit)
        };
    }
}
