package io.edgeflow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A code is read one way on both sides: docs/protocol.md's examples, and what is not a code. */
class CodeFormatTest {
    @Test
    void everyWrittenFormOfACodeIsTheSameCode() {
        for (String typed : new String[] {"PROV-A1B2-C3D4", "prov-a1b2-c3d4", "PROVA1B2C3D4", "A1B2C3D4",
            " A1B2-C3D4 ", "PROV-AIB2-C3D4", "PROV-ALB2-C3D4", "\u2003PROV-A1B2-C3D4\t"}) {
            assertThat(CodeFormat.canonical(typed)).as(typed).contains("A1B2C3D4");
        }
        assertThat(CodeFormat.canonical("PROV-O0O0-0000")).contains("00000000");
        assertThat(CodeFormat.write("A1B2C3D4")).isEqualTo("PROV-A1B2-C3D4");
        assertThat(CodeFormat.mask("C3D4")).isEqualTo("PROV-****-C3D4");
    }

    @Test
    void whatCannotBeACodeIsNone() {
        for (String bad : new String[] {null, "", "PROV-A1B2-C3D", "PROV-A1B2-C3D4E", "PROV-A1B2-C3DU",
            "A1B2C3D\u00c4", "x".repeat(41), "PROV-A1B2_C3D4"}) {
            assertThat(CodeFormat.canonical(bad)).as(String.valueOf(bad)).isEmpty();
        }
    }
}
