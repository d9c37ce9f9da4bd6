package io.edgeflow.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The executable agent as users start it ({@code launcher/target/edgeflow}, the shell script that execs the JVM with
 * the options the agent ships with: so the process's PID is the JVM's), on a data directory and a loopback port of
 * its own, its output in a log file. A second run on the same data directory and port is a restart.
 */
public final class AgentProcess implements AutoCloseable {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private final Process process;
    private final Path log;
    private final int port;

    private AgentProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the agent; returns at once.
     *
     * @param workDir its working directory
     * @param name names the log file ({@code <name>.log} in the working directory)
     * @param dataDir EDGEFLOW_DATA_DIR
     * @param port EDGEFLOW_HTTP_PORT
     * @param env further environment (EDGEFLOW_* of the caller's own environment are removed first)
     */
    public static AgentProcess start(Path workDir, String name, Path dataDir, int port, Map<String, String> env)
            throws IOException {
        Path log = workDir.toAbsolutePath().resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(EdgeFlowRuntime.launcherJar().resolveSibling("edgeflow")
                .toString()).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("EDGEFLOW_") || k.equalsIgnoreCase("https_proxy"));
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("EDGEFLOW_CDS_ARCHIVE", "off");
        environment.put("EDGEFLOW_DATA_DIR", dataDir.toAbsolutePath().toString());
        environment.put("EDGEFLOW_ENV_FILE", workDir.toAbsolutePath().resolve("absent.env").toString());
        environment.put("EDGEFLOW_HTTP_PORT", Integer.toString(port));
        environment.putAll(env);
        return new AgentProcess(builder.start(), log, port);
    }

    /**
     * @return the environment of an agent with pre-provisioned credentials for the cloud, trusting the given
     *         publisher key (or none if null)
     */
    public static Map<String, String> provisioned(String cloudUrl, Path caFile, String deviceId, String apiKey,
            String trustedKey) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EDGEFLOW_SAAS_ENABLED", "true");
        env.put("EDGEFLOW_SAAS_URL", cloudUrl);
        env.put("EDGEFLOW_SAAS_CA_FILE", caFile.toString());
        env.put("EDGEFLOW_DEVICE_ID", deviceId);
        env.put("EDGEFLOW_API_KEY", apiKey);
        if (trustedKey != null) {
            env.put("EDGEFLOW_UPDATE_TRUSTED_KEYS", trustedKey);
        }
        return env;
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return log;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** @return the local API's address of this path */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Waits for a line in the log; fails at once if the agent exits. */
    public void awaitLine(String needle, Duration patience) throws IOException, InterruptedException {
        awaitTrue("a line with '" + needle + "' in " + log, patience, () -> log().contains(needle));
    }

    /** Waits for a condition; fails at once, with the log, if the agent exits. */
    public void awaitTrue(String what, Duration patience, Http.Condition condition)
            throws IOException, InterruptedException {
        try {
            Http.awaitTrue(what, patience, () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the agent exited (" + process.exitValue() + ")");
                }
                return condition.holds();
            });
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage() + "\nagent log " + log + ":\n" + tail(), e);
        }
    }

    /** @return the last 150 lines of the log */
    public String tail() throws IOException {
        List<String> lines = List.of(log().split("\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 150), lines.size()));
    }

    /** Kills the agent (SIGKILL): no shutdown hook, no journal written on the way out, as a power cut. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("the agent " + pid() + " did not die of SIGKILL within 20 s");
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the agent (SIGTERM, then SIGKILL after 20 s). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** What the JVM holds after a full collection, read with {@code jcmd} (the JDK's attach API). */
    public record Footprint(int threads, long heapUsedKib, long metaspaceUsedKib) {
    }

    /**
     * Runs a full collection in the agent ({@code jcmd GC.run}) and reads what is in use after it: the heap (every
     * generation) and the metaspace ({@code GC.heap_info}), and the process's threads (the kernel's count in
     * /proc, the JVM's own threads included).
     */
    public Footprint footprint() throws IOException, InterruptedException {
        Path commands = Files.createTempFile(log.getParent(), "jcmd-", ".txt");
        Files.writeString(commands, "GC.run\nGC.heap_info\n");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "-f", commands.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("jcmd failed on " + pid() + ":\n" + out);
        }
        Files.delete(commands);
        long heap = 0;
        long metaspace = -1;
        for (String line : out.split("\n")) {
            Matcher m = USED.matcher(line);
            if (!m.find()) {
                continue;
            }
            long kib = Long.parseLong(m.group(1));
            if (line.strip().startsWith("Metaspace")) {
                metaspace = kib;
            } else if (!line.strip().startsWith("class space")) {
                heap += kib;
            }
        }
        if (heap == 0 || metaspace < 0) {
            throw new AssertionError("no heap or metaspace figures in jcmd's answer:\n" + out);
        }
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring("Threads:".length()).strip());
            }
        }
        return new Footprint(threads, heap, metaspace);
    }
}
