package io.edgeflow.facts.hardware.internal;

/**
 * What the Java runtime says about the machine: the last resort when the files say nothing.
 *
 * @param availableProcessors {@code Runtime.availableProcessors()}
 * @param osName {@code os.name}
 * @param osArch {@code os.arch}
 * @param osVersion {@code os.version}
 */
record Jvm(int availableProcessors, String osName, String osArch, String osVersion) {

    /** @return what this Java runtime says */
    static Jvm current() {
        return new Jvm(Runtime.getRuntime().availableProcessors(), System.getProperty("os.name", ""),
                System.getProperty("os.arch", ""), System.getProperty("os.version", ""));
    }
}
