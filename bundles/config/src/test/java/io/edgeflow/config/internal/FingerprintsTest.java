package io.edgeflow.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintsTest {
    private static final Setting CODE = Setting.byVariable("EDGEFLOW_PROVISIONING_CODE").orElseThrow();

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aCodesFingerprintIsKeyedStableForOneInstallationAndDiffersAcrossInstallations(@TempDir Path dir)
            throws Exception {
        Fingerprints one = Fingerprints.load(dir.resolve("a/fingerprint.key"), new SecureRandom());
        Fingerprints sameInstallation = Fingerprints.load(dir.resolve("a/fingerprint.key"), new SecureRandom());
        Fingerprints other = Fingerprints.load(dir.resolve("b/fingerprint.key"), new SecureRandom());
        String code = "PROV-A1B2-C3D4";

        String fingerprint = one.of(CODE, code);
        assertThat(sameInstallation.of(CODE, code)).isEqualTo(fingerprint);
        assertThat(other.of(CODE, code)).isNotEqualTo(fingerprint);
        // not an unkeyed hash anyone can recompute: neither of the code, nor of variable and code as 0.1 did
        String hex = fingerprint.substring(Fingerprints.KEYED.length());
        assertThat(sha256(code)).doesNotContain(hex);
        assertThat(sha256("EDGEFLOW_PROVISIONING_CODE\0" + code)).doesNotContain(hex);
        assertThat(Fingerprints.unkeyed(CODE, code)).isNotEqualTo(hex);
        assertThat(one.matches(fingerprint, CODE, code)).isTrue();
        assertThat(one.matches(fingerprint, CODE, "PROV-A1B2-C3D5")).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/fingerprint.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.size(dir.resolve("a/fingerprint.key"))).isEqualTo(32);
    }

    @Test
    void aFingerprintOfVersion01IsStillRecognised() {
        Fingerprints keyed = new Fingerprints(new byte[32]);
        String old = Fingerprints.unkeyed(CODE, "PROV-A1B2-C3D4");
        assertThat(keyed.matches(old, CODE, "PROV-A1B2-C3D4")).isTrue();
        assertThat(keyed.matches(old, CODE, "PROV-A1B2-C3D5")).isFalse();
    }
}
