package io.edgeflow.cloud.store;

import java.util.List;

/**
 * A stored bundle jar, named by the SHA-256 of its bytes.
 *
 * @param sha256 64 lower-case hex digits
 * @param symbolicName its {@code Bundle-SymbolicName}, without attributes
 * @param version its {@code Bundle-Version}
 * @param size bytes
 * @param uploadedAt epoch ms
 * @param signatures its publishers' signatures, oldest first
 */
public record ArtifactRecord(String sha256, String symbolicName, String version, long size, long uploadedAt,
        List<SignatureRecord> signatures) {
}
