package io.edgeflow.bundlecontent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A bundle jar as the update bundle (what it verifies), the inventory (what it shows in {@code GET /api/v1/bundles})
 * and the cloud (what it stores and deploys) name it alike: by the SHA-256 of its bytes, in lower-case hex; and
 * whether it is one of EdgeFlow's own bundles, by its symbolic name.
 * <p>
 * Threading: static functions without state; any thread.
 */
public final class BundleContent {
    /** The symbolic names of EdgeFlow's own bundles begin with this. */
    public static final String EDGEFLOW_PREFIX = "io.edgeflow.";

    private BundleContent() {
    }

    /**
     * @param file a file
     * @return the SHA-256 of its bytes, 64 lower-case hex digits
     * @throws IOException if it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0;) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** @return a new SHA-256 digest */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * @param symbolicName a bundle's symbolic name, or null
     * @return true if it is one of EdgeFlow's own bundles
     */
    public static boolean isEdgeFlow(String symbolicName) {
        return symbolicName != null && symbolicName.startsWith(EDGEFLOW_PREFIX);
    }
}
