package io.edgeflow.kuradp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.kuradp.DeploymentPackageWriter.BundleFile;

class DeploymentPackageWriterTest {
    @TempDir
    Path dir;

    @Test
    void snapshotTakesTheBuildTimeAsQualifierAndAReleaseKeepsItsNumbers() {
        assertThat(DeploymentPackageWriter.packageVersion("0.1.0-SNAPSHOT", "20261203160509"))
                .isEqualTo("0.1.0.20261203160509");
        assertThat(DeploymentPackageWriter.packageVersion("1.2.0", "20261203160509")).isEqualTo("1.2.0");
        assertThat(DeploymentPackageWriter.packageVersion("1.2", "20261203160509")).isEqualTo("1.2.0");
        assertThat(DeploymentPackageWriter.packageVersion("1.2.0-rc1", "20261203160509")).isEqualTo("1.2.0.rc1");
        assertThatThrownBy(() -> DeploymentPackageWriter.packageVersion("0.1.0-SNAPSHOT", "${maven.build.timestamp}"))
                .hasMessageContaining("yyyyMMddHHmmss");
        assertThatThrownBy(() -> DeploymentPackageWriter.packageVersion("next", "20261203160509"))
                .hasMessageContaining("not a version");
    }

    @Test
    void writesTheManifestFirstThenTheBundlesInTheGivenOrder() throws IOException {
        List<BundleFile> bundles = List.of(bundle("z.first", "2.23.0"), bundle("a.second", "0.1.0.SNAPSHOT"),
                bundle("m.third", "1.0.0"));
        Path dp = dir.resolve("out/edgeflow-0.1.0-SNAPSHOT.dp");

        DeploymentPackageWriter.write(dp, DeploymentPackageWriter.manifest("io.edgeflow", "0.1.0.20261203160509",
                bundles), bundles);

        try (ZipFile zip = new ZipFile(dp.toFile())) {
            assertThat(zip.stream().map(e -> e.getName()).toList()).containsExactly("META-INF/MANIFEST.MF",
                    "z.first_2.23.0.jar", "a.second_0.1.0.SNAPSHOT.jar", "m.third_1.0.0.jar");
        }
        try (JarInputStream in = new JarInputStream(Files.newInputStream(dp))) {
            Manifest manifest = in.getManifest();
            assertThat(manifest).as("what Deployment Admin reads: the manifest as the first entry").isNotNull();
            Attributes main = manifest.getMainAttributes();
            assertThat(main.getValue("DeploymentPackage-SymbolicName")).isEqualTo("io.edgeflow");
            assertThat(main.getValue("DeploymentPackage-Version")).isEqualTo("0.1.0.20261203160509");
            Attributes second = manifest.getAttributes("a.second_0.1.0.SNAPSHOT.jar");
            assertThat(second.getValue("Bundle-SymbolicName")).isEqualTo("a.second");
            assertThat(second.getValue("Bundle-Version")).isEqualTo("0.1.0.SNAPSHOT");
            List<String> entries = new ArrayList<>();
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                entries.add(e.getName());
            }
            assertThat(entries).containsExactly("z.first_2.23.0.jar", "a.second_0.1.0.SNAPSHOT.jar",
                    "m.third_1.0.0.jar");
        }
        String text = manifestText(dp);
        assertThat(text.indexOf("Name: z.first")).as("sections in start order, for a human reader too")
                .isLessThan(text.indexOf("Name: a.second")).isLessThan(text.indexOf("Name: m.third"));
        assertThat(text.split("\r\n")).allSatisfy(line -> assertThat(line.getBytes(StandardCharsets.UTF_8).length)
                .as(line).isLessThanOrEqualTo(70));
    }

    @Test
    void readsTheBundlesFromTheClassPathSkippingDirectories() throws IOException {
        Path a = bundle("io.edgeflow.api", "0.1.0.SNAPSHOT").file();
        Path b = bundle("com.fasterxml.jackson.core.jackson-core", "2.23.0").file();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path dp = dir.resolve("edgeflow-0.1.0-SNAPSHOT.dp");

        DeploymentPackageWriter.main(new String[] {dp.toString(), "0.1.0-SNAPSHOT", "20261203160509",
            String.join(java.io.File.pathSeparator, classes.toString(), b.toString(), a.toString())});

        try (ZipFile zip = new ZipFile(dp.toFile())) {
            assertThat(zip.stream().map(e -> e.getName()).toList()).containsExactly("META-INF/MANIFEST.MF",
                    "com.fasterxml.jackson.core.jackson-core_2.23.0.jar", "io.edgeflow.api_0.1.0.SNAPSHOT.jar");
        }
    }

    @Test
    void refusesToWriteAnEmptyPackage() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path dp = dir.resolve("edgeflow-0.1.0-SNAPSHOT.dp");

        assertThatThrownBy(() -> DeploymentPackageWriter.main(new String[] {dp.toString(), "0.1.0-SNAPSHOT",
            "20261203160509", classes.toString()})).hasMessageContaining("nothing to package");
        assertThat(dp).doesNotExist();
    }

    @Test
    void refusesAJarThatIsNotABundleAndABundleListedTwice() throws IOException {
        Path plain = dir.resolve("plain.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = new JarOutputStream(Files.newOutputStream(plain), manifest)) {
            out.flush();
        }
        assertThatThrownBy(() -> BundleFile.of(plain)).hasMessageContaining("is not an OSGi bundle");

        BundleFile api = bundle("io.edgeflow.api", "0.1.0");
        assertThatThrownBy(() -> DeploymentPackageWriter.manifest("io.edgeflow", "1.0.0", List.of(api, api)))
                .hasMessageContaining("io.edgeflow.api is listed twice");
    }

    private BundleFile bundle(String bsn, String version) throws IOException {
        Path file = dir.resolve(bsn + "-" + version + ".jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", bsn + ";singleton:=true");
        manifest.getMainAttributes().putValue("Bundle-Version", version);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), manifest)) {
            out.putNextEntry(new JarEntry("a/b.txt"));
            out.write(bsn.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return BundleFile.of(file);
    }

    private static String manifestText(Path dp) throws IOException {
        try (ZipFile zip = new ZipFile(dp.toFile())) {
            return new String(zip.getInputStream(zip.getEntry("META-INF/MANIFEST.MF")).readAllBytes(),
                    StandardCharsets.UTF_8);
        }
    }
}
