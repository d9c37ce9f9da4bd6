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
        assertThat(code.fingerprint()).hasSize(64).doesNotContain("A1B2");
    }
}
