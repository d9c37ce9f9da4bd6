package io.edgeflow.kuradp;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes an OSGi deployment package ({@code .dp}, OSGi Compendium chapter 114), the format Eclipse Kura installs:
 * a JAR whose first entry is the manifest, with {@code DeploymentPackage-SymbolicName} and
 * {@code DeploymentPackage-Version} in its main section and one {@code Name:} section per bundle naming the
 * bundle's {@code Bundle-SymbolicName} and {@code Bundle-Version}, then the bundles, in the order given. Deployment
 * Admin installs and starts the bundles in that order.
 *
 * <p>Run by the build of packaging/kura-dp (not shipped); its tests use it to make newer and broken packages.
 * de.dentrassi.maven:osgi-dp 0.4.1 does not fit: it names the package after the Maven artifactId and the file
 * {@code <artifactId>_<version>.dp}, with no way to choose either.
 */
public final class DeploymentPackageWriter {
    /** The name every EdgeFlow deployment package has: Deployment Admin and Kura key installed packages by it. */
    public static final String SYMBOLIC_NAME = "io.edgeflow";

    private static final Pattern MAVEN_VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:[.-](.+))?");
    private static final Pattern QUALIFIER = Pattern.compile("[A-Za-z0-9_-]+");
    private static final int MANIFEST_LINE_BYTES = 72;

    private DeploymentPackageWriter() {
    }

    /** A bundle of the package: its file and the identity its own manifest declares. */
    public record BundleFile(Path file, String symbolicName, String version) {

        /**
         * Reads a bundle's identity from its manifest.
         *
         * @param file a bundle JAR
         * @return the bundle
         * @throws IllegalArgumentException if the file is not an OSGi bundle
         */
        public static BundleFile of(Path file) {
            try (JarFile jar = new JarFile(file.toFile())) {
                Manifest manifest = jar.getManifest();
                String bsn = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
                if (bsn == null || bsn.isBlank()) {
                    throw new IllegalArgumentException(file + " is not an OSGi bundle (no Bundle-SymbolicName)");
                }
                String version = manifest.getMainAttributes().getValue("Bundle-Version");
                return new BundleFile(file, bsn.split(";", 2)[0].strip(),
                        osgiVersion(version == null ? "0.0.0" : version.strip()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        /** @return the path of this bundle inside the package (its Name: section) */
        public String entryName() {
            return symbolicName + "_" + version + ".jar";
        }
    }

    /**
     * The build's entry point.
     *
     * @param args the output file; the Maven project version; the build time as {@code yyyyMMddHHmmss} (the
     *             qualifier of a snapshot's package version); then one or more class paths (separated by the
     *             platform's path separator) whose JAR files are the bundles, in start order (directories are
     *             skipped: the module's own classes come first on Maven's class path)
     */
    public static void main(String[] args) {
        if (args.length < 4) {
            throw new IllegalArgumentException(
                    "usage: DeploymentPackageWriter <out.dp> <maven version> <yyyyMMddHHmmss> <bundle class path>...");
        }
        Path out = Path.of(args[0]);
        String version = packageVersion(args[1], args[2]);
        List<BundleFile> bundles = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            for (String element : args[i].split(Pattern.quote(File.pathSeparator))) {
                Path path = Path.of(element.strip());
                if (!element.isBlank() && Files.isRegularFile(path)) {
                    bundles.add(BundleFile.of(path));
                }
            }
        }
        if (bundles.isEmpty()) {
            throw new IllegalArgumentException("no bundle JAR on the class path given: nothing to package");
        }
        write(out, manifest(SYMBOLIC_NAME, version, bundles), bundles);
        System.out.println("Deployment package " + SYMBOLIC_NAME + " " + version + ": " + out);
        bundles.forEach(b -> System.out.println("  " + b.symbolicName() + " " + b.version()));
    }

    /**
     * The OSGi version of a deployment package built from a Maven project version. A release keeps its numbers
     * ({@code 1.2.0} stays {@code 1.2.0}, {@code 1.2.0-rc1} becomes {@code 1.2.0.rc1}); a snapshot takes the build
     * time as its qualifier ({@code 0.1.0-SNAPSHOT} built on 3 December 2026 at 16:05:09 UTC becomes
     * {@code 0.1.0.20261203160509}), so that each build is a newer package than the last of the same release.
     *
     * @param mavenVersion the project version
     * @param buildTime the build time, {@code yyyyMMddHHmmss}
     * @return the package version
     * @throws IllegalArgumentException if the Maven version does not start with a number
     */
    public static String packageVersion(String mavenVersion, String buildTime) {
        String version = mavenVersion.strip();
        if (version.endsWith("-SNAPSHOT")) {
            if (!buildTime.matches("\\d{14}")) {
                throw new IllegalArgumentException("build time '" + buildTime + "' is not yyyyMMddHHmmss");
            }
            version = version.substring(0, version.length() - "-SNAPSHOT".length()) + "-" + buildTime;
        }
        return osgiVersion(version);
    }

    /**
     * Turns a Maven-style version into an OSGi version ({@code major.minor.micro.qualifier}).
     *
     * @param version for example {@code 2.23.0}, {@code 0.1.0.SNAPSHOT} or {@code 1.0-beta}
     * @return the OSGi version
     */
    static String osgiVersion(String version) {
        Matcher m = MAVEN_VERSION.matcher(version.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + version + "' is not a version");
        }
        StringBuilder osgi = new StringBuilder(m.group(1)).append('.')
                .append(m.group(2) == null ? "0" : m.group(2)).append('.')
                .append(m.group(3) == null ? "0" : m.group(3));
        String qualifier = m.group(4);
        if (qualifier != null) {
            if (!QUALIFIER.matcher(qualifier).matches()) {
                qualifier = qualifier.replaceAll("[^A-Za-z0-9_-]", "_");
            }
            osgi.append('.').append(qualifier);
        }
        return osgi.toString();
    }

    /**
     * The manifest of a package: its main section, then one section per bundle, in the given order.
     *
     * @param symbolicName {@code DeploymentPackage-SymbolicName}
     * @param version {@code DeploymentPackage-Version}, an OSGi version
     * @param bundles the bundles, in start order
     * @return the manifest's headers: the main section under the key {@code ""}, then each bundle's section under
     *         its path, all in writing order
     */
    public static Map<String, Map<String, String>> manifest(String symbolicName, String version,
            List<BundleFile> bundles) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> main = new LinkedHashMap<>();
        main.put("Manifest-Version", "1.0");
        main.put("DeploymentPackage-SymbolicName", symbolicName);
        main.put("DeploymentPackage-Version", version);
        main.put("DeploymentPackage-Name", "EdgeFlow gateway agent");
        main.put("DeploymentPackage-Vendor", "EdgeFlow");
        main.put("DeploymentPackage-Description",
                "The EdgeFlow agent's bundles and what they need beyond an Eclipse Kura 5 gateway (jackson-core)");
        sections.put("", main);
        Set<String> names = new HashSet<>();
        for (BundleFile bundle : bundles) {
            if (!names.add(bundle.symbolicName())) {
                throw new IllegalArgumentException("bundle " + bundle.symbolicName() + " is listed twice");
            }
            Map<String, String> section = new LinkedHashMap<>();
            section.put("Bundle-SymbolicName", bundle.symbolicName());
            section.put("Bundle-Version", bundle.version());
            sections.put(bundle.entryName(), section);
        }
        return sections;
    }

    /**
     * Writes a package: the manifest first, then the given bundles in order. The manifest may name bundles that
     * are not written (a broken package, for tests).
     *
     * @param out the .dp file, replaced atomically
     * @param manifest from {@link #manifest}
     * @param bundles the bundles to write, in order
     */
    public static void write(Path out, Map<String, Map<String, String>> manifest, List<BundleFile> bundles) {
        try {
            Path dir = out.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, out.getFileName().toString(), ".tmp");
            try (OutputStream file = Files.newOutputStream(temp);
                    ZipOutputStream zip = new ZipOutputStream(file)) {
                zip.putNextEntry(new ZipEntry(JarFile.MANIFEST_NAME));
                zip.write(manifestBytes(manifest));
                zip.closeEntry();
                for (BundleFile bundle : bundles) {
                    zip.putNextEntry(new ZipEntry(bundle.entryName()));
                    Files.copy(bundle.file(), zip);
                    zip.closeEntry();
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
            if (Files.getFileStore(temp).supportsFileAttributeView("posix")) { // a download for operators: rw-r--r--
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    /**
     * The manifest in JAR format, sections in the given order ({@link Manifest} keeps its named sections in a
     * hash map and would lose the start order for a human reader).
     */
    static byte[] manifestBytes(Map<String, Map<String, String>> manifest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        manifest.forEach((name, headers) -> {
            if (!name.isEmpty()) {
                header(out, "Name", name);
            }
            headers.forEach((key, value) -> header(out, key, value));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        byte[] bytes = out.toByteArray();
        try { // the JDK's own reader must read back what was written
            new Manifest(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new IllegalStateException("wrote an unreadable manifest", e);
        }
        return bytes;
    }

    /** One header, wrapped at 72 bytes a line as the JAR specification requires. */
    private static void header(ByteArrayOutputStream out, String key, String value) {
        if (new Attributes.Name(key).toString().isEmpty() || value.contains("\n") || value.contains("\r")) {
            throw new IllegalArgumentException("bad manifest header " + key);
        }
        byte[] line = (key + ": " + value).getBytes(StandardCharsets.UTF_8);
        int start = 0;
        int room = MANIFEST_LINE_BYTES - 2; // the line break
        while (line.length - start > room) {
            int end = start + room;
            while ((line[end] & 0xC0) == 0x80) { // never split a UTF-8 character
                end--;
            }
            out.write(line, start, end - start);
            out.writeBytes("\r\n ".getBytes(StandardCharsets.US_ASCII));
            start = end;
            room = MANIFEST_LINE_BYTES - 3; // the line break and the leading space
        }
        out.write(line, start, line.length - start);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
