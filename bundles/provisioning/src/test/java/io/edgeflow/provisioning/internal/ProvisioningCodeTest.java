package io.edgeflow.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProvisioningCodeTest {
    @Test
    void readAsTheCloudReadsIt() {
        String canonical = "PROV-A1B2-C3D4";
        for (String written : new String[] {"PROV-A1B2-C3D4", "prov-a1b2-c3d4", "PROVA1B2C3D4", "A1B2C3D4",
                " A1B2-C3D4 ", "PROV-AIB2-C3D4", "PROV-ALB2-C3D4"}) {
            assertThat(ProvisioningCode.parse(written)).as(written).hasValueSatisfying(
                    c -> assertThat(c.value()).isEqualTo(canonical));
        }
        assertThat(ProvisioningCode.parse("PROV-0O00-0000").orElseThrow().value()).isEqualTo("PROV-0000-0000");
    }

    @Test
    void notACode() {
        for (String bad : new String[] {"", "PROV-A1B2", "PROV-A1B2-C3D45", "PROV-A1B2-C3DU", "PROV-A1B2-C3D!",
                "XXXX-A1B2-C3D4", "x".repeat(50)}) {
            assertThat(ProvisioningCode.parse(bad)).as(bad).isEmpty();
        }
        assertThat(ProvisioningCode.parse(null)).isEmpty();
    }

    @Test
    void maskedEverywhereButOnTheWire() {
        ProvisioningCode code = ProvisioningCode.parse("PROV-A1B2-C3D4").orElseThrow();
        assertThat(code.masked()).isEqualTo("PROV-****-C3D4");
        assertThat(code.toString()).isEqualTo("PROV-****-C3D4");
        assertThat(ProvisioningCode.maskText("prov-a1b2-c3d4")).isEqualTo("PROV-****-C3D4");
        assertThat(ProvisioningCode.maskText("PROV-1234")).isEqualTo("****").doesNotContain("1234");
        assertThat(ProvisioningCode.maskText("something-long-1234")).isEqualTo("****1234");
        assertThat(code.fingerprint(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256")))
                .hasSize(67).doesNotContain("A1B2");
    }

    @Test
    void aCodesFingerprintIsKeyedStableForOneInstallationAndDiffersAcrossInstallations(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ProvisioningCode code = ProvisioningCode.parse("PROV-A1B2-C3D4").orElseThrow();
        UsedCodes one = new UsedCodes(dir.resolve("one/used-provisioning-codes"));
        one.add(code);
        String stored = java.nio.file.Files.readString(dir.resolve("one/used-provisioning-codes")).strip();

        // not SHA-256 of the code in any spelling, nor the unkeyed fingerprint of 0.1
        for (String spelling : java.util.List.of("PROV-A1B2-C3D4", "A1B2C3D4", "edgeflow-provisioning-code\0A1B2C3D4")) {
            assertThat(stored).doesNotContain(java.util.HexFormat.of().formatHex(java.security.MessageDigest
                    .getInstance("SHA-256").digest(spelling.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        }
        assertThat(stored).doesNotContain(code.unkeyedFingerprint());
        // stable for one installation (a restart reads the same key and recognises the code)...
        assertThat(new UsedCodes(dir.resolve("one/used-provisioning-codes")).contains(code)).isTrue();
        // ...and different on another: the same code gives another fingerprint
        UsedCodes two = new UsedCodes(dir.resolve("two/used-provisioning-codes"));
        two.add(code);
        assertThat(java.nio.file.Files.readString(dir.resolve("two/used-provisioning-codes")).strip())
                .isNotEqualTo(stored);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                dir.resolve("one/used-provisioning-codes.key")))).isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                dir.resolve("one/used-provisioning-codes")))).isEqualTo("rw-------");
    }

    @Test
    void aCodeRecordedAsUsedByVersion01IsStillRecognised(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ProvisioningCode code = ProvisioningCode.parse("PROV-A1B2-C3D4").orElseThrow();
        java.nio.file.Files.writeString(dir.resolve("used"), code.unkeyedFingerprint() + "\n");
        assertThat(new UsedCodes(dir.resolve("used")).contains(code)).isTrue();
        assertThat(new UsedCodes(dir.resolve("used")).contains(ProvisioningCode.parse("PROV-A1B2-C3D5")
                .orElseThrow())).isFalse();
    }
}
