package io.edgeflow.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * What {@code edgeflow.jar} carries, as the build wrote it: {@code launcher.properties} (bnd's index of the bundles
 * resolved from {@code bndrun/edgeflow.bndrun}, in install order with their start levels, and the bndrun's
 * {@code -runproperties}) and the bundles under {@code jar/}, with a SHA-256 digest of each in the jar's manifest.
 */
public final class ShippedJar {
    /** The index inside the jar. */
    static final String INDEX = "launcher.properties";

    private final Properties index;
    private final List<ShippedBundle> bundles;

    private ShippedJar(Properties index, List<ShippedBundle> bundles) {
        this.index = index;
        this.bundles = bundles;
    }

    /**
     * @param jar edgeflow.jar, open for the life of the launcher (the bundles are read from it as they are installed)
     * @return what it ships
     * @throws IOException if the jar lacks its index or a listed bundle, or cannot be read
     */
    static ShippedJar read(JarFile jar) throws IOException {
        JarEntry indexEntry = jar.getJarEntry(INDEX);
        if (indexEntry == null) {
            throw new IOException(jar.getName() + " holds no " + INDEX + ": it is not a complete edgeflow.jar");
        }
        Properties index = new Properties();
        try (InputStream in = jar.getInputStream(indexEntry)) {
            index.load(in);
        }
        Map<String, Integer> levels = startLevels(index.getProperty("launch.runbundles.attrs", ""));
        int defaultLevel = Math.max(1, Integer.parseInt(index.getProperty("launch.startlevel.default", "1").strip()));
        Manifest manifest = jar.getManifest();
        List<ShippedBundle> bundles = new ArrayList<>();
        for (String path : index.getProperty("launch.bundles", "").split(",")) {
            String name = path.strip();
            if (name.isEmpty()) {
                continue;
            }
            JarEntry entry = jar.getJarEntry(name);
            if (entry == null) {
                throw new IOException(jar.getName() + " lists " + name + " but does not hold it");
            }
            Attributes headers;
            try (JarInputStream in = new JarInputStream(jar.getInputStream(entry))) {
                Manifest bundleManifest = in.getManifest();
                if (bundleManifest == null) {
                    throw new IOException(name + " in " + jar.getName() + " has no manifest");
                }
                headers = bundleManifest.getMainAttributes();
            }
            String bsn = headers.getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null) {
                throw new IOException(name + " in " + jar.getName() + " is not a bundle (no Bundle-SymbolicName)");
            }
            bsn = bsn.split(";")[0].strip();
            Version version = Version.parseVersion(headers.getValue(Constants.BUNDLE_VERSION));
            String digest = null;
            Attributes section = manifest == null ? null : manifest.getAttributes(name);
            if (section != null) {
                digest = section.getValue("SHA-256-Digest");
            }
            if (digest == null) {
                digest = sha256(jar, entry);
            }
            bundles.add(new ShippedBundle(bsn, version, digest, levels.getOrDefault(bsn, defaultLevel),
                    headers.getValue(Constants.FRAGMENT_HOST) != null, () -> jar.getInputStream(entry)));
        }
        return new ShippedJar(index, List.copyOf(bundles));
    }

    /** @return the bundles in install order */
    List<ShippedBundle> bundles() {
        return bundles;
    }

    /** @return the framework properties of the bndrun, see {@link #runProperties(Properties)} */
    Map<String, String> runProperties() {
        return runProperties(index);
    }

    /**
     * The framework properties the bndrun asks for: its {@code -runproperties} (everything in the index but bnd's own
     * {@code launch.*}), and its {@code -runsystemcapabilities} (bnd writes them as {@code launch.system.capabilities})
     * as the system bundle's extra capabilities, as bnd's launcher passed them (public for the itests, which boot the
     * same framework in Pax Exam).
     *
     * @param index the jar's {@code launcher.properties}
     * @return the properties, by name
     */
    public static Map<String, String> runProperties(Properties index) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String name : index.stringPropertyNames()) {
            if (!name.startsWith("launch.")) {
                properties.put(name, index.getProperty(name));
            }
        }
        String capabilities = index.getProperty("launch.system.capabilities", "").strip();
        if (!capabilities.isEmpty()) {
            properties.merge(Constants.FRAMEWORK_SYSTEMCAPABILITIES_EXTRA, capabilities, (a, b) -> a + "," + b);
        }
        return properties;
    }

    /**
     * Parses {@code bsn;version="1";startlevel=10,...} as bnd writes it into launcher.properties (public for the
     * itests, which start the same bundles at the same levels in Pax Exam).
     *
     * @param attrs the value of {@code launch.runbundles.attrs}
     * @return each bundle's start level, by symbolic name
     */
    public static Map<String, Integer> startLevels(String attrs) {
        Map<String, Integer> levels = new HashMap<>();
        for (String clause : attrs.split(",(?=[^,;=\"]+;)")) {
            String[] parts = clause.split(";");
            String bsn = parts[0].strip();
            for (String part : parts) {
                String p = part.strip();
                if (p.startsWith("startlevel=")) {
                    levels.put(bsn, Integer.parseInt(p.substring("startlevel=".length()).replace("\"", "").strip()));
                }
            }
        }
        return levels;
    }

    private static String sha256(JarFile jar, JarEntry entry) throws IOException {
        try (DigestInputStream in = new DigestInputStream(jar.getInputStream(entry), MessageDigest.getInstance(
                "SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return Base64.getEncoder().encodeToString(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
