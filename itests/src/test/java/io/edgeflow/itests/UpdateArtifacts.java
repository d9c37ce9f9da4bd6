package io.edgeflow.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import io.edgeflow.itests.updates.ThrowingFacts;

/**
 * What the remote update tests build and sign (docs/updates.md): publisher keys as devices trust them, an
 * artifact's signature, a deployment's update operation, and bundle jars (the shipped one at another version, one
 * whose component throws on activation, one made of given headers and entries).
 */
public final class UpdateArtifacts {
    /** The hardware facts bundle, the one the tests update. */
    public static final String HARDWARE = "io.edgeflow.facts.hardware";

    private UpdateArtifacts() {
    }

    /** @return the key as {@code trusted_keys} and {@code EDGEFLOW_UPDATE_TRUSTED_KEYS} take it */
    public static String publicKey(KeyPair pair) {
        return "ed25519:" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    /** @return the artifact's signature by {@code signer}: {@code key_id}, {@code public_key}, {@code signature} */
    public static Map<String, Object> signature(String sha256, KeyPair signer) throws GeneralSecurityException {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(signer.getPrivate());
        signature.update(("edgeflow-artifact:v1:" + sha256).getBytes(StandardCharsets.UTF_8));
        byte[] spki = signer.getPublic().getEncoded();
        Map<String, Object> signed = new LinkedHashMap<>();
        signed.put("key_id", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki))
                .substring(0, 16));
        signed.put("public_key", publicKey(signer));
        signed.put("signature", Base64.getEncoder().encodeToString(signature.sign()));
        return signed;
    }

    /** @return the operation of a deployment as the cloud sends it to a device: update to this signed artifact */
    public static Map<String, Object> update(String symbolicName, String version, String sha256, byte[] jar,
            KeyPair signer) throws GeneralSecurityException {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("action", "update");
        op.put("symbolic_name", symbolicName);
        op.put("version", version);
        op.put("sha256", sha256);
        op.put("size", jar.length);
        op.put("signatures", List.of(signature(sha256, signer)));
        return op;
    }

    /** @return the hardware facts jar that edgeflow.jar ships */
    public static byte[] shippedHardwareJar() throws IOException {
        return shippedJar(HARDWARE);
    }

    /** @return the jar of this bundle that edgeflow.jar ships */
    public static byte[] shippedJar(String symbolicName) throws IOException {
        try (JarFile launcher = new JarFile(EdgeFlowRuntime.launcherJar().toFile())) {
            ZipEntry entry = launcher.stream().filter(e -> e.getName().startsWith("jar/" + symbolicName + "-"))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + symbolicName + " in edgeflow.jar"));
            try (InputStream in = launcher.getInputStream(entry)) {
                return in.readAllBytes();
            }
        }
    }

    /** @return the jar with another Bundle-Version, nothing else changed */
    public static byte[] withVersion(byte[] jar, String version) throws IOException {
        return withVersion(jar, version, 0);
    }

    /** @return the jar at another version, padded with an incompressible resource to about {@code size} bytes */
    public static byte[] withVersion(byte[] jar, String version, int size) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                int padding = size - jar.length;
                if (padding > 0) {
                    byte[] random = new byte[padding];
                    new Random(42).nextBytes(random);
                    out.putNextEntry(new JarEntry("itest-padding.bin"));
                    out.write(random);
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    /** @return a hardware facts bundle whose only component throws when it is activated */
    public static byte[] throwingHardwareJar(String version) throws IOException {
        String className = ThrowingFacts.class.getName();
        String classEntry = className.replace('.', '/') + ".class";
        byte[] classBytes;
        try (InputStream in = ThrowingFacts.class.getClassLoader().getResourceAsStream(classEntry)) {
            classBytes = in.readAllBytes();
        }
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"" + className
                + "\" immediate=\"true\">\n  <implementation class=\"" + className + "\"/>\n"
                + "  <service><provide interface=\"io.edgeflow.api.facts.HardwareFactsService\"/></service>\n"
                + "</scr:component>\n";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Import-Package", "io.edgeflow.api.facts");
        headers.put("Service-Component", "OSGI-INF/throwing.xml");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(classEntry, classBytes);
        entries.put("OSGI-INF/throwing.xml", xml.getBytes(StandardCharsets.UTF_8));
        return bundleJar(HARDWARE, version, headers, entries);
    }

    /** @return a bundle of these headers and entries */
    public static byte[] bundleJar(String symbolicName, String version, Map<String, String> headers,
            Map<String, byte[]> entries) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        headers.forEach(main::putValue);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
