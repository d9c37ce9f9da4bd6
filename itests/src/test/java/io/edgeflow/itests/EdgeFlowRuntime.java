package io.edgeflow.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import io.edgeflow.endpoint.testing.TestConnectProxy;
import io.edgeflow.launcher.ShippedJar;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.ProvisionOption;

/**
 * The runtime under test: exactly the bundles, start levels and framework properties of the executable
 * agent {@code launcher/target/edgeflow.jar}, read from its embedded {@code launcher.properties}. Nothing
 * here lists bundles by hand, so the tests boot what users run.
 */
public final class EdgeFlowRuntime {
    private static final Path LAUNCHER_JAR = Path.of(System.getProperty("edgeflow.launcher.jar",
            "../launcher/target/edgeflow.jar"));
    private static final Path ITEST_DIR = Path.of(System.getProperty("edgeflow.itest.dir", "target/itest"));

    private EdgeFlowRuntime() {
    }

    /** @return a fresh directory for one test class's files */
    public static Path newTestDirectory(String name) {
        try {
            Files.createDirectories(ITEST_DIR);
            return Files.createTempDirectory(ITEST_DIR, name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a TCP port that was free a moment ago on loopback */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the executable agent jar */
    public static Path launcherJar() {
        return LAUNCHER_JAR.toAbsolutePath().normalize();
    }

    /**
     * The Pax Exam options that boot the agent's runtime.
     *
     * @param httpPort the port for the local API
     * @param envFile the env file the configuration bundle reads
     * @param overrides further framework properties, replacing the launcher's
     * @return the options
     */
    public static Option[] options(int httpPort, Path envFile, Map<String, String> overrides) {
        Properties launcher = launcherProperties();
        Map<String, String> framework = new HashMap<>(ShippedJar.runProperties(launcher));
        framework.put("org.osgi.service.http.port", Integer.toString(httpPort));
        framework.put("edgeflow.env.file", envFile.toString());
        // as the launcher does: the data directory before Config Admin has one, here beside the env file,
        // so no test ever reads or writes the machine's /var/lib/edgeflow
        framework.put("edgeflow.data.dir", envFile.toAbsolutePath().getParent().resolve("data").toString());
        framework.putAll(overrides);

        List<Option> options = new ArrayList<>();
        framework.forEach((k, v) -> options.add(frameworkProperty(k).value(v)));
        // slf4j-simple reads system properties, not framework properties
        framework.forEach((k, v) -> {
            if (k.startsWith("org.slf4j.simpleLogger")) {
                options.add(systemProperty(k).value(v));
            }
        });
        Map<String, Integer> startLevels = ShippedJar.startLevels(launcher.getProperty("launch.runbundles.attrs", ""));
        int highest = 1;
        int beginning = Integer.parseInt(launcher.getProperty("org.osgi.framework.startlevel.beginning", "1").strip());
        for (String path : launcher.getProperty("launch.bundles", "").split(",")) {
            String entry = path.strip();
            if (entry.isEmpty()) {
                continue;
            }
            Path file = extract(entry);
            String bsn = symbolicName(file);
            Integer level = startLevels.get(bsn);
            boolean fragment = fragment(file);
            if (bsn.equals("slf4j.api") || bsn.equals("slf4j.simple") || bsn.equals("io.edgeflow.slf4j.binding")) {
                // Pax Exam's own bundles start at level 2 and log through slf4j: the provider (and the fragment of
                // slf4j.api through which slf4j finds it) must be there before them, or slf4j settles on its
                // no-operation logger and the agent's log is lost
                level = 1;
            }
            ProvisionOption<?> option = bundle(file.toUri().toString()).start(!fragment);
            if (level != null) {
                option = option.startLevel(level);
                if (level <= beginning) { // above it (the optional Web Console): installed, not started, as in the agent
                    highest = Math.max(highest, level);
                }
            }
            options.add(option);
        }
        options.add(frameworkStartLevel(highest + 1));
        options.add(junitBundles());
        // test-only: the tests read JSON answers with jackson-databind, which the agent itself does not use
        for (String property : List.of("edgeflow.itest.jackson.annotations", "edgeflow.itest.jackson.databind")) {
            options.add(bundle(Path.of(System.getProperty(property)).toUri().toString()));
        }
        return options.toArray(new Option[0]);
    }

    /**
     * A bundle exporting {@code io.edgeflow.endpoint.testing}: the probe holds only this module's test classes,
     * and TestConnectProxy comes from the endpoint's test-jar on the test class path (it uses only java.*).
     */
    public static Option testConnectProxyBundle() {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "io.edgeflow.endpoint.testing");
        main.putValue("Export-Package", TestConnectProxy.class.getPackageName());
        String entry = TestConnectProxy.class.getName().replace('.', '/') + ".class";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest);
                InputStream in = TestConnectProxy.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
            jar.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return streamBundle(new ByteArrayInputStream(bytes.toByteArray())).start(true);
    }

    private static Properties launcherProperties() {
        try (JarFile jar = new JarFile(launcherJar().toFile())) {
            ZipEntry entry = jar.getEntry("launcher.properties");
            Properties properties = new Properties();
            try (InputStream in = jar.getInputStream(entry)) {
                properties.load(in);
            }
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException("Build the launcher first (mvn -B verify builds it): " + launcherJar(), e);
        }
    }

    private static Path extract(String entryName) {
        Path target = ITEST_DIR.resolve("bundles").resolve(Path.of(entryName).getFileName().toString());
        try (JarFile jar = new JarFile(launcherJar().toFile())) {
            ZipEntry entry = jar.getEntry(entryName);
            if (entry == null) {
                throw new IllegalStateException(entryName + " is not in " + launcherJar());
            }
            Files.createDirectories(target.getParent());
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean fragment(Path bundle) {
        try (JarFile jar = new JarFile(bundle.toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String symbolicName(Path bundle) {
        try (JarFile jar = new JarFile(bundle.toFile())) {
            String bsn = jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? "" : bsn.split(";")[0].strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
