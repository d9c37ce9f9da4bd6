package io.edgeflow.bundlecontent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleContentTest {
    @TempDir
    Path dir;

    @Test
    void sha256OfAFileIsTheStandardDigestInLowerCaseHex() throws IOException {
        // FIPS 180-2 test vectors: "abc", and the empty message
        Path abc = Files.write(dir.resolve("abc"), "abc".getBytes(StandardCharsets.US_ASCII));
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertThat(BundleContent.sha256(abc))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(BundleContent.sha256(empty))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void sha256ReadsPastOneBuffer() throws IOException {
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        Path file = Files.write(dir.resolve("big"), big);
        assertThat(BundleContent.sha256(file))
                .isEqualTo(java.util.HexFormat.of().formatHex(BundleContent.newSha256().digest(big)));
    }

    @Test
    void aMissingFileIsAnIoError() {
        assertThatThrownBy(() -> BundleContent.sha256(dir.resolve("none"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void edgeFlowBundlesAreKnownByTheirSymbolicName() {
        assertThat(BundleContent.isEdgeFlow("io.edgeflow.update")).isTrue();
        assertThat(BundleContent.isEdgeFlow("org.apache.felix.scr")).isFalse();
        assertThat(BundleContent.isEdgeFlow("io.edgeflowx")).isFalse();
        assertThat(BundleContent.isEdgeFlow(null)).isFalse();
    }
}
