package io.edgeflow.cloud;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Bundle jars and Ed25519 keys for the update tests, made in memory. */
final class Bundles {
    private Bundles() {
    }

    /** A bundle jar with a manifest and one class-sized entry of {@code padding} bytes. */
    static byte[] jar(String symbolicName, String version, int padding) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        if (symbolicName != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        if (version != null) {
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new JarEntry("io/edgeflow/test/Payload.bin"));
            byte[] payload = new byte[padding];
            new java.util.Random(padding + (symbolicName == null ? 0 : symbolicName.hashCode())).nextBytes(payload);
            jar.write(payload);
            jar.closeEntry();
        }
        return out.toByteArray();
    }

    static byte[] jar(String symbolicName, String version) throws IOException {
        return jar(symbolicName, version, 2048);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static KeyPair keyPair() throws Exception {
        return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    static String publicKey(KeyPair pair) {
        return "ed25519:" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    /** The contract's signature of an artifact: Ed25519 over "edgeflow-artifact:v1:" + its SHA-256. */
    static String sign(KeyPair pair, String sha256) throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(pair.getPrivate());
        s.update(("edgeflow-artifact:v1:" + sha256).getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(s.sign());
    }

    static boolean verifies(String publicKey, String signature, String sha256) throws Exception {
        byte[] der = Base64.getDecoder().decode(publicKey.substring("ed25519:".length()));
        java.security.PublicKey key = java.security.KeyFactory.getInstance("Ed25519")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(der));
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(("edgeflow-artifact:v1:" + sha256).getBytes(StandardCharsets.UTF_8));
        return s.verify(Base64.getDecoder().decode(signature));
    }
}
