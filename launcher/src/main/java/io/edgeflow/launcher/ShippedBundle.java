package io.edgeflow.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

import org.osgi.framework.Version;

/**
 * One bundle that {@code edgeflow.jar} ships: what the build resolved from {@code bndrun/edgeflow.bndrun}.
 *
 * @param symbolicName its Bundle-SymbolicName
 * @param version its Bundle-Version
 * @param digest the SHA-256 of the jar as shipped (base 64), which tells two builds of one version apart
 * @param startLevel its start level from the bndrun
 * @param fragment true for a fragment, which is never started
 * @param content opens the jar
 */
record ShippedBundle(String symbolicName, Version version, String digest, int startLevel, boolean fragment,
        Content content) {

    /** Opens a shipped jar, each time anew. */
    @FunctionalInterface
    interface Content {
        /**
         * @return the jar's bytes
         * @throws IOException if it cannot be read
         */
        InputStream open() throws IOException;
    }

    ShippedBundle {
        Objects.requireNonNull(symbolicName);
        Objects.requireNonNull(version);
        Objects.requireNonNull(digest);
        Objects.requireNonNull(content);
    }

    /** @return {@code bsn version}, as log lines name a bundle */
    String label() {
        return symbolicName + " " + version;
    }
}
