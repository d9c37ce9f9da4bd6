package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Version;

import io.edgeflow.bundlecontent.BundleContent;

/**
 * Checks a downloaded artifact before anything is changed: its size (the operation's, and at most the configured
 * limit), its SHA-256, a signature by a trusted key, and a bundle manifest whose symbolic name and version are the
 * operation's. Immutable; safe to share between threads.
 */
final class ArtifactVerifier {
    private final TrustedKeys keys;
    private final long maxBytes;

    ArtifactVerifier(TrustedKeys keys, long maxBytes) {
        this.keys = keys;
        this.maxBytes = maxBytes;
    }

    /**
     * @param op an install or update
     * @param jar the downloaded file
     * @throws ArtifactRejected with the code and the reason: {@code artifact_too_large}, {@code size_mismatch},
     *         {@code hash_mismatch}, {@code untrusted_key}, {@code bad_signature}, {@code updates_disabled},
     *         {@code not_a_bundle}, {@code manifest_mismatch}
     * @throws IOException if the file cannot be read
     */
    void verify(Operation op, Path jar) throws ArtifactRejected, IOException {
        if (keys.isEmpty()) {
            throw new ArtifactRejected("updates_disabled", "no trusted publisher key is configured "
                    + "(io.edgeflow.update trusted_keys, EDGEFLOW_UPDATE_TRUSTED_KEYS)");
        }
        long size = Files.size(jar);
        if (size > maxBytes) {
            throw new ArtifactRejected("artifact_too_large", op.symbolicName() + ": " + size
                    + " bytes, more than max_artifact_bytes " + maxBytes);
        }
        if (size != op.size()) {
            throw new ArtifactRejected("size_mismatch", op.symbolicName() + ": " + size + " bytes, the deployment "
                    + "says " + op.size());
        }
        String sha256 = BundleContent.sha256(jar);
        if (!sha256.equals(op.sha256())) {
            throw new ArtifactRejected("hash_mismatch", op.symbolicName() + ": SHA-256 " + sha256
                    + ", the deployment says " + op.sha256());
        }
        List<TrustedKeys.Signed> signatures = new ArrayList<>();
        for (Map<String, Object> s : op.signatures()) {
            try {
                signatures.add(TrustedKeys.Signed.fromJson(s));
            } catch (IllegalArgumentException e) {
                // a malformed signature counts as none; another may still verify
            }
        }
        keys.verify(sha256, signatures);
        checkManifest(op, jar);
    }

    /** Checks that the file is a bundle with the operation's symbolic name and version. */
    static void checkManifest(Operation op, Path jar) throws ArtifactRejected {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            manifest = file.getManifest();
        } catch (IOException | RuntimeException e) {
            throw new ArtifactRejected("not_a_bundle", op.symbolicName() + ": the artifact is not a jar");
        }
        Attributes main = manifest == null ? null : manifest.getMainAttributes();
        String name = main == null ? null : main.getValue("Bundle-SymbolicName");
        if (name == null || name.isBlank()) {
            throw new ArtifactRejected("not_a_bundle", op.symbolicName() + ": the artifact has no Bundle-SymbolicName");
        }
        name = symbolicName(name);
        Version version;
        try {
            version = Version.parseVersion(main.getValue("Bundle-Version"));
        } catch (IllegalArgumentException e) {
            throw new ArtifactRejected("not_a_bundle", op.symbolicName() + ": the artifact's Bundle-Version is "
                    + "not a version");
        }
        if (!name.equals(op.symbolicName()) || !version.equals(op.version())) {
            throw new ArtifactRejected("manifest_mismatch", "the artifact is " + name + " " + version
                    + ", the deployment says " + op.symbolicName() + " " + op.version());
        }
    }

    /** @return a Bundle-SymbolicName header without its directives ({@code ;singleton:=true}) */
    static String symbolicName(String header) {
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).strip();
    }

}
