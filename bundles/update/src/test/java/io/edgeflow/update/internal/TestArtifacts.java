package io.edgeflow.update.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Bundle jars, publisher keys and signed operations for the tests. */
final class TestArtifacts {
    private TestArtifacts() {
    }

    /** @return a bundle jar with this symbolic name and version, and one entry whose content tells them apart */
    static byte[] bundle(String symbolicName, String version) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            jar.putNextEntry(new JarEntry("content.txt"));
            jar.write((symbolicName + " " + version).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    static KeyPair keyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String publicKey(KeyPair pair) {
        return "ed25519:" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    static String sha256(byte[] bytes) {
        return TrustedKeys.Sha256.hex(TrustedKeys.Sha256.digest(bytes));
    }

    static String sign(KeyPair pair, String sha256) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(pair.getPrivate());
            signer.update(("edgeflow-artifact:v1:" + sha256).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the signature entry of an operation, as the cloud sends it */
    static Map<String, Object> signature(KeyPair pair, String sha256) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("key_id", TrustedKeys.keyId(pair.getPublic().getEncoded()));
        s.put("public_key", publicKey(pair));
        s.put("signature", sign(pair, sha256));
        return s;
    }

    /** @return an operation's JSON for this jar, signed by these keys */
    static Map<String, Object> operation(String action, String symbolicName, String version, byte[] jar,
            KeyPair... signers) {
        String sha256 = sha256(jar);
        List<Map<String, Object>> signatures = new ArrayList<>();
        for (KeyPair k : signers) {
            signatures.add(signature(k, sha256));
        }
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("action", action);
        op.put("symbolic_name", symbolicName);
        op.put("version", version);
        op.put("sha256", sha256);
        op.put("size", jar.length);
        op.put("signatures", signatures);
        return op;
    }

    static Map<String, Object> uninstall(String symbolicName) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("action", "uninstall");
        op.put("symbolic_name", symbolicName);
        return op;
    }

    static Map<String, Object> deployment(String id, int healthTimeout, List<Map<String, Object>> operations) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        d.put("health_timeout_seconds", healthTimeout);
        d.put("operations", operations);
        return d;
    }
}
