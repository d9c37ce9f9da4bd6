package io.edgeflow.update.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactVerifierTest {
    static final String NAME = "io.edgeflow.facts.hardware";
    final KeyPair publisher = TestArtifacts.keyPair();
    final KeyPair stranger = TestArtifacts.keyPair();
    final byte[] jar = TestArtifacts.bundle(NAME, "0.2.0");
    @TempDir
    Path dir;

    ArtifactVerifier trusting(KeyPair... keys) {
        String[] values = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            values[i] = TestArtifacts.publicKey(keys[i]);
        }
        return new ArtifactVerifier(TrustedKeys.parse(values), 32 * 1024 * 1024);
    }

    Path file(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("a.jar"), bytes);
    }

    static Operation op(Map<String, Object> json) {
        return Operation.fromJson(json, 1);
    }

    String code(ArtifactVerifier verifier, Operation op, Path file) {
        try {
            verifier.verify(op, file);
            return "accepted";
        } catch (ArtifactRejected e) {
            return e.code();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSignedArtifactByATrustedKeyIsAccepted() throws IOException {
        assertThat(code(trusting(publisher), op(TestArtifacts.operation("update", NAME, "0.2.0", jar, publisher)),
                file(jar))).isEqualTo("accepted");
    }

    @Test
    void oneTrustedSignatureAmongUntrustedOnesIsEnough() throws IOException {
        assertThat(code(trusting(publisher), op(TestArtifacts.operation("update", NAME, "0.2.0", jar, stranger,
                publisher)), file(jar))).isEqualTo("accepted");
    }

    @Test
    void aWrongHashIsRefused() throws IOException {
        byte[] other = TestArtifacts.bundle(NAME, "0.2.1");
        Map<String, Object> json = TestArtifacts.operation("update", NAME, "0.2.0", jar, publisher);
        json.put("size", other.length);
        assertThat(code(trusting(publisher), op(json), file(other))).isEqualTo("hash_mismatch");
    }

    @Test
    void aSizeOtherThanTheDeploymentsIsRefused() throws IOException {
        Map<String, Object> json = TestArtifacts.operation("update", NAME, "0.2.0", jar, publisher);
        json.put("size", jar.length + 1);
        assertThat(code(trusting(publisher), op(json), file(jar))).isEqualTo("size_mismatch");
    }

    @Test
    void anArtifactOverTheLimitIsRefused() throws IOException {
        ArtifactVerifier small = new ArtifactVerifier(TrustedKeys.parse(new String[] {
            TestArtifacts.publicKey(publisher)}), jar.length - 1);
        assertThat(code(small, op(TestArtifacts.operation("update", NAME, "0.2.0", jar, publisher)), file(jar)))
                .isEqualTo("artifact_too_large");
    }

    @Test
    void aSignatureThatDoesNotVerifyIsRefused() throws IOException {
        Map<String, Object> json = TestArtifacts.operation("update", NAME, "0.2.0", jar, publisher);
        // the trusted key's signature of another artifact
        @SuppressWarnings("unchecked")
        Map<String, Object> sig = ((List<Map<String, Object>>) json.get("signatures")).get(0);
        sig.put("signature", TestArtifacts.sign(publisher, TestArtifacts.sha256(new byte[] {1})));
        assertThat(code(trusting(publisher), op(json), file(jar))).isEqualTo("bad_signature");
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefused() throws IOException {
        assertThat(code(trusting(publisher), op(TestArtifacts.operation("update", NAME, "0.2.0", jar, stranger)),
                file(jar))).isEqualTo("untrusted_key");
    }

    @Test
    void anUntrustedKeyClaimingATrustedKeysIdIsRefused() throws IOException {
        Map<String, Object> json = TestArtifacts.operation("update", NAME, "0.2.0", jar, stranger);
        @SuppressWarnings("unchecked")
        Map<String, Object> sig = ((List<Map<String, Object>>) json.get("signatures")).get(0);
        sig.put("key_id", TrustedKeys.keyId(publisher.getPublic().getEncoded()));
        assertThat(code(trusting(publisher), op(json), file(jar))).isEqualTo("untrusted_key");
    }

    @Test
    void noSignatureIsRefused() throws IOException {
        assertThat(code(trusting(publisher), op(TestArtifacts.operation("update", NAME, "0.2.0", jar)), file(jar)))
                .isEqualTo("untrusted_key");
    }

    @Test
    void withoutATrustedKeyEverythingIsRefused() throws IOException {
        assertThat(code(trusting(), op(TestArtifacts.operation("update", NAME, "0.2.0", jar, publisher)), file(jar)))
                .isEqualTo("updates_disabled");
    }

    @Test
    void aManifestOtherThanTheOperationsIsRefused() throws IOException {
        byte[] other = TestArtifacts.bundle("io.edgeflow.tunnel", "0.2.0");
        assertThat(code(trusting(publisher), op(TestArtifacts.operation("update", NAME, "0.2.0", other, publisher)),
                file(other))).isEqualTo("manifest_mismatch");
        byte[] version = TestArtifacts.bundle(NAME, "0.3.0");
        assertThat(code(trusting(publisher), op(TestArtifacts.operation("update", NAME, "0.2.0", version,
                publisher)), file(version))).isEqualTo("manifest_mismatch");
    }

    @Test
    void aFileThatIsNotAJarIsRefused() throws IOException {
        byte[] text = "not a jar".getBytes();
        assertThat(code(trusting(publisher), op(TestArtifacts.operation("update", NAME, "0.2.0", text, publisher)),
                file(text))).isEqualTo("not_a_bundle");
    }

    @Test
    void aMalformedTrustedKeyFailsTheConfigurationNamingTheProperty() {
        assertThatThrownBy(() -> TrustedKeys.parse(new String[] {TestArtifacts.publicKey(publisher), "ed25519:AAAA"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trusted_keys")
                .hasMessageContaining("entry 2");
        assertThatThrownBy(() -> TrustedKeys.parse(new String[] {"rsa:abc"}))
                .hasMessageContaining("trusted_keys");
    }

    @Test
    void blankKeyEntriesAreIgnored() {
        assertThat(TrustedKeys.parse(new String[] {" ", ""}).isEmpty()).isTrue();
        List<String> ids = new ArrayList<>(TrustedKeys.parse(new String[] {TestArtifacts.publicKey(publisher)}).ids());
        assertThat(ids).containsExactly(TrustedKeys.keyId(publisher.getPublic().getEncoded()));
        assertThat(ids.get(0)).hasSize(16).matches("[0-9a-f]{16}");
    }
}
