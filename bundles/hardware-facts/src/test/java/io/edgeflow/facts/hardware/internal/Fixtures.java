package io.edgeflow.facts.hardware.internal;


/** What this bundle's tests share beyond {@link io.edgeflow.facts.fixtures.FixtureFiles}. */
final class Fixtures {
    private Fixtures() {
    }

    /** A JVM as an aarch64 Linux board would report it. */
    static final Jvm ARM64_JVM = new Jvm(6, "Linux", "aarch64", "9.9.9-jvm");
}
