package io.edgeflow.envfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFileTest {

    @Test
    void readsTheProductDocumentationsEnvFile() {
        EnvFile file = EnvFile.parse("/etc/edgeflow/.env", List.of(
                "# /etc/edgeflow/.env",
                "EDGEFLOW_SAAS_ENABLED=true",
                "EDGEFLOW_SAAS_URL=saas.edgx.cloud:443",
                "EDGEFLOW_PROVISIONING_CODE=PROV-A1B2-C3D4"));
        assertThat(file.warnings()).isEmpty();
        assertThat(file.values()).containsExactly(
                java.util.Map.entry("EDGEFLOW_SAAS_ENABLED", "true"),
                java.util.Map.entry("EDGEFLOW_SAAS_URL", "saas.edgx.cloud:443"),
                java.util.Map.entry("EDGEFLOW_PROVISIONING_CODE", "PROV-A1B2-C3D4"));
    }

    @Test
    void acceptsCommentsBlankLinesQuotesAndExport() {
        EnvFile file = EnvFile.parse("f", List.of(
                "",
                "   # indented comment",
                "export A=1",
                "export\tB = two words ",
                "C=\"quoted # not a comment\"",
                "D='single $HOME \\n stays'",
                "E=\"esc \\\" \\\\ \\n\"",
                "F=value # trailing comment",
                "G=url#fragment",
                "H=",
                "I=\"\"",
                "J = 'x' # comment after quote"));
        assertThat(file.warnings()).isEmpty();
        assertThat(file.values())
                .containsEntry("A", "1")
                .containsEntry("B", "two words")
                .containsEntry("C", "quoted # not a comment")
                .containsEntry("D", "single $HOME \\n stays")
                .containsEntry("E", "esc \" \\ \n")
                .containsEntry("F", "value")
                .containsEntry("G", "url#fragment")
                .containsEntry("H", "")
                .containsEntry("I", "")
                .containsEntry("J", "x");
    }

    @Test
    void laterLinesOverrideEarlierOnes() {
        EnvFile file = EnvFile.parse("f", List.of("A=1", "A=2"));
        assertThat(file.values()).containsEntry("A", "2").hasSize(1);
    }

    @Test
    void malformedLinesAreSkippedWithFileAndLineButNeverTheValue() {
        String secret = "efk_SECRET_VALUE_123";
        EnvFile file = EnvFile.parse("/etc/edgeflow/.env", List.of(
                "GOOD=1",
                "EDGEFLOW_API_KEY " + secret,
                "1BAD=" + secret,
                "BAD-NAME=" + secret,
                "Q=\"" + secret,
                "R='" + secret + "' trailing",
                "=" + secret,
                "LAST=ok"));
        assertThat(file.values()).containsOnlyKeys("GOOD", "LAST");
        assertThat(file.warnings()).hasSize(6);
        assertThat(file.warnings().get(0)).startsWith("/etc/edgeflow/.env line 2: skipped");
        assertThat(file.warnings().get(5)).startsWith("/etc/edgeflow/.env line 7: skipped");
        assertThat(String.join("\n", file.warnings())).doesNotContain(secret).doesNotContain("SECRET");
    }

    @Test
    void aMissingFileIsNormal(@TempDir Path dir) {
        EnvFile file = EnvFile.read(dir.resolve("absent.env"));
        assertThat(file.values()).isEmpty();
        assertThat(file.warnings()).isEmpty();
    }

    @Test
    void anUnreadableFileIsAWarningNotACrash(@TempDir Path dir) throws Exception {
        Path binary = dir.resolve("binary.env");
        Files.write(binary, new byte[] {(byte) 0xC3, (byte) 0x28, 'A', '=', '1'});
        EnvFile file = EnvFile.read(binary);
        assertThat(file.values()).isEmpty();
        assertThat(file.warnings()).singleElement().asString().contains("not UTF-8");

        EnvFile directory = EnvFile.read(dir);
        assertThat(directory.values()).isEmpty();
        assertThat(directory.warnings()).singleElement().asString().contains("not read");
    }

    @Test
    void aByteOrderMarkAndCrlfLineEndingsAreTolerated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("windows.env");
        Files.write(file, "\uFEFFA=1\r\nB=\"two\"\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(EnvFile.read(file).values()).containsEntry("A", "1").containsEntry("B", "two");
    }
}
