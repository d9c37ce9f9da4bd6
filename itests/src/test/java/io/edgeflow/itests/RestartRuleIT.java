package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.After;
import org.junit.Test;

/**
 * The restart rule (docs/running.md, "Bundles across restarts and upgrades") on the executable agent: bundles
 * updated, installed and uninstalled at run time through the framework API stay so across a SIGTERM restart and a
 * kill -9; a newer edgeflow.jar replaces the bundles it ships except one updated at run time to a higher version;
 * starting the older jar again downgrades only with a warning that names the bundle.
 *
 * <p>
 * The agent runs as {@link AgentWithTestCommands} (edgeflow.jar's own {@code Main.start()} plus test-only commands on
 * standard input), so the production jar has no way in for these changes.
 */
public class RestartRuleIT {
    private static final String NETWORK = "io.edgeflow.facts.network";
    private static final String HARDWARE = "io.edgeflow.facts.hardware";
    private static final String VAULT = "io.edgeflow.vault";
    private static final String PLUGIN = "org.apache.felix.webconsole.plugins.ds";
    private static final String EXTRA = "io.edgeflow.itest.extra";
    private static final String SHIPPED = "0.1.0.SNAPSHOT";

    private final List<Process> started = new ArrayList<>();
    private int commandId;

    @After
    public void stopWhatWeStarted() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** One run of the agent, with its log and its command input. */
    private final class Agent {
        final Process process;
        final Path log;
        final Writer commands;

        Agent(Path jar, Path dir, String name) throws Exception {
            log = dir.resolve(name + ".log");
            Path testClasses = Path.of(AgentWithTestCommands.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", jar + java.io.File.pathSeparator + testClasses,
                    AgentWithTestCommands.class.getName()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("EDGEFLOW_"));
            builder.environment().put("EDGEFLOW_DATA_DIR", dir.resolve("data").toString());
            builder.environment().put("EDGEFLOW_ENV_FILE", dir.resolve("absent.env").toString());
            builder.environment().put("EDGEFLOW_HTTP_PORT", Integer.toString(EdgeFlowRuntime.freePort()));
            process = builder.start();
            started.add(process);
            commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            awaitLine("EdgeFlow agent ready");
        }

        String awaitLine(String needle) throws Exception {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (Instant.now().isBefore(deadline)) {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    if (line.contains(needle)) {
                        return line;
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the agent exited before printing '" + needle + "':\n" + text);
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no line with '" + needle + "' within 60 s:\n" + Files.readString(log));
        }

        /** @return the answer lines of one command, without the prefix */
        List<String> command(String command) throws Exception {
            int id = ++commandId;
            commands.write(id + " " + command + "\n");
            commands.flush();
            String prefix = "itest " + id + ": ";
            awaitLine(prefix + "done");
            List<String> answer = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix) && !line.equals(prefix + "done")) {
                    answer.add(line.substring(prefix.length()));
                }
            }
            assertFalse(command + ": " + answer, answer.stream().anyMatch(l -> l.startsWith("failed")));
            return answer;
        }

        /** @return symbolic name to version of every bundle in the framework */
        Map<String, String> bundles() throws Exception {
            Map<String, String> bundles = new TreeMap<>();
            for (String line : command("list")) {
                String[] words = line.split(" ");
                bundles.put(words[1], words[2]);
            }
            return bundles;
        }

        void sigterm() throws Exception {
            process.destroy();
            assertTrue("the agent did not stop within 10 s of SIGTERM", process.waitFor(10, TimeUnit.SECONDS));
        }

        void kill9() throws Exception {
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        }

        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
    }

    @Test
    public void runTimeChangesSurviveRestartsAndKill9AndANewerJarReplacesOnlyWhatItShouldNeverDowngradingSilently()
            throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("restart-rule").toAbsolutePath();
        Path jar = EdgeFlowRuntime.launcherJar();
        Path network3 = reversioned(jar, NETWORK, "0.3.0", dir);
        Path hardware2 = reversioned(jar, HARDWARE, "0.2.0", dir);
        Path extra = minimalBundle(dir.resolve("extra.jar"));

        // run time: update one bundle to a higher version, uninstall one, install a new one
        Agent first = new Agent(jar, dir, "first");
        Map<String, String> shipped = first.bundles();
        assertEquals(SHIPPED, shipped.get(NETWORK));
        assertTrue(shipped.containsKey(PLUGIN));
        first.command("update " + NETWORK + " " + network3);
        first.command("uninstall " + PLUGIN);
        first.command("install " + extra);
        first.sigterm();

        // a restart keeps all three
        Agent second = new Agent(jar, dir, "second");
        Map<String, String> afterRestart = second.bundles();
        assertEquals("0.3.0", afterRestart.get(NETWORK));
        assertFalse(afterRestart.containsKey(PLUGIN));
        assertEquals("1.0.0", afterRestart.get(EXTRA));
        assertTrue(second.output(), second.output().contains(PLUGIN + ": not installed, it was uninstalled at run time"));
        // an update, then kill -9 at once
        second.command("update " + HARDWARE + " " + hardware2);
        second.kill9();

        Agent third = new Agent(jar, dir, "third");
        Map<String, String> afterKill = third.bundles();
        assertEquals("0.2.0", afterKill.get(HARDWARE));
        assertEquals("0.3.0", afterKill.get(NETWORK));
        assertFalse(afterKill.containsKey(PLUGIN));
        assertEquals("1.0.0", afterKill.get(EXTRA));
        assertEquals("untouched bundles are the shipped ones", SHIPPED, afterKill.get(VAULT));
        third.sigterm();

        // a newer edgeflow.jar: network 0.2.0 (below the 0.3.0 of run time), hardware 0.5.0 (above the 0.2.0 of run
        // time), vault 0.2.0 (never touched at run time)
        Path newer = newerJar(jar, dir.resolve("edgeflow-newer.jar"), Map.of(NETWORK, "0.2.0", HARDWARE, "0.5.0",
                VAULT, "0.2.0"), dir);
        Agent upgraded = new Agent(newer, dir, "upgraded");
        Map<String, String> afterUpgrade = upgraded.bundles();
        assertEquals("updated at run time to a higher version: kept", "0.3.0", afterUpgrade.get(NETWORK));
        assertEquals("the newer jar's version", "0.5.0", afterUpgrade.get(HARDWARE));
        assertEquals("the newer jar's version", "0.2.0", afterUpgrade.get(VAULT));
        assertFalse(afterUpgrade.containsKey(PLUGIN));
        assertEquals("1.0.0", afterUpgrade.get(EXTRA));
        String kept = upgraded.awaitLine(NETWORK + ": keeping 0.3.0");
        assertTrue(kept, kept.contains("[WARN]") && kept.contains("0.2.0"));
        upgraded.sigterm();

        // the older jar again: what only the newer jar shipped goes back, each with a warning naming it
        Agent downgraded = new Agent(jar, dir, "downgraded");
        Map<String, String> afterDowngrade = downgraded.bundles();
        assertEquals(SHIPPED, afterDowngrade.get(VAULT));
        assertEquals(SHIPPED, afterDowngrade.get(HARDWARE));
        assertEquals("0.3.0", afterDowngrade.get(NETWORK));
        for (String bsn : List.of(VAULT, HARDWARE)) {
            String warning = downgraded.awaitLine(bsn + ": downgraded from");
            assertTrue(warning, warning.contains("[WARN]") && warning.contains(SHIPPED));
        }
        assertFalse(downgraded.output(), downgraded.output().contains(NETWORK + ": downgraded"));
        downgraded.sigterm();

        // a reset: framework/ deleted, the record left behind; the jar's bundles come back, and only they
        try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("data/framework"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Agent reset = new Agent(jar, dir, "reset");
        Map<String, String> afterReset = reset.bundles();
        assertEquals(shipped, afterReset);
        reset.sigterm();
    }

    private static byte[] entry(Path jar, String bsn) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry e : java.util.Collections.list(file.entries())) {
                if (e.getName().startsWith("jar/" + bsn + "-")) {
                    try (InputStream in = file.getInputStream(e)) {
                        return in.readAllBytes();
                    }
                }
            }
        }
        throw new AssertionError(bsn + " is not in " + jar);
    }

    /** @return the shipped bundle with another Bundle-Version, written to a file */
    private static Path reversioned(Path jar, String bsn, String version, Path dir) throws IOException {
        Path target = dir.resolve(bsn + "-" + version + ".jar");
        Files.write(target, reversion(entry(jar, bsn), version));
        return target;
    }

    private static byte[] reversion(byte[] bundle, String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(bundle))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    /** A copy of edgeflow.jar with some embedded bundles re-versioned, as a newer build of the agent would ship. */
    private static Path newerJar(Path jar, Path target, Map<String, String> versions, Path dir) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            List<String> replaced = new ArrayList<>();
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                for (String bsn : versions.keySet()) {
                    if (e.getName().startsWith("jar/" + bsn + "-")) {
                        replaced.add(e.getName());
                    }
                }
            }
            // the digests of the replaced bundles no longer hold: the launcher computes them itself
            replaced.forEach(manifest.getEntries()::remove);
            try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file,
                    manifest)) {
                for (JarEntry e : java.util.Collections.list(in.entries())) {
                    if (e.getName().equals(JarFile.MANIFEST_NAME) || e.getName().equals("META-INF/")) {
                        continue;
                    }
                    out.putNextEntry(new ZipEntry(e.getName()));
                    byte[] content;
                    try (InputStream entry = in.getInputStream(e)) {
                        content = entry.readAllBytes();
                    }
                    for (Map.Entry<String, String> v : versions.entrySet()) {
                        if (e.getName().startsWith("jar/" + v.getKey() + "-")) {
                            content = reversion(content, v.getValue());
                        }
                    }
                    out.write(content);
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    private static Path minimalBundle(Path target) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", EXTRA);
        main.putValue("Bundle-Version", "1.0.0");
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file,
                manifest)) {
            out.putNextEntry(new ZipEntry("readme.txt"));
            out.write("installed at run time by RestartRuleIT\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return target;
    }
}
