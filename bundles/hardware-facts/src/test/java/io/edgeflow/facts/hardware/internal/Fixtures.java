package io.edgeflow.facts.hardware.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The fixture roots under src/test/fixtures; see SOURCES.md there for where each file came from. */
final class Fixtures {
    static final Path DIR = Path.of("src/test/fixtures");

    private Fixtures() {
    }

    static Path root(String name) {
        Path root = DIR.resolve(name);
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("no fixture " + root.toAbsolutePath());
        }
        return root;
    }

    static String text(String relative) {
        try {
            return Files.readString(DIR.resolve(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JVM as an aarch64 Linux board would report it. */
    static final Jvm ARM64_JVM = new Jvm(6, "Linux", "aarch64", "9.9.9-jvm");
}
