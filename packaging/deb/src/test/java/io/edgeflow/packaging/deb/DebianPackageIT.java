package io.edgeflow.packaging.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs {@code edgeflow_<version>_all.deb} on this machine as an operator would, with dpkg: checks the unit
 * with {@code systemd-analyze verify}, runs the unit's {@code ExecStart} as the {@code edgeflow} user and asks it
 * for its status, upgrades to a newer package with a changed conffile in place, removes it (data and settings
 * stay) and purges it (nothing stays). Needs root; it refuses to run where an EdgeFlow package, user or data
 * directory already exists, because it purges what it installed, also when it fails.
 */
class DebianPackageIT {
    private static final Path DATA_DIR = Path.of("/var/lib/edgeflow");
    private static final Path ENV_FILE = Path.of("/etc/edgeflow/.env");
    private static final Path UNIT = Path.of("/lib/systemd/system/edgeflow.service");
    private static final Duration AGENT_START = Duration.ofSeconds(90);

    /** Set before the first dpkg -i: from then on, cleanup purges the package and whatever a failed purge left. */
    private static boolean machineTouched;
    private static final List<Process> started = new ArrayList<>();

    @TempDir
    Path work;

    @BeforeAll
    static void machineIsOurs() throws Exception {
        String uid = run("id", "-u").stdout.strip();
        if (!uid.equals("0")) {
            fail("DebianPackageIT installs, upgrades and purges the package with dpkg, which needs root (uid 0); this "
                    + "is uid " + uid + ". CI runs it as root on a throwaway machine. Run the build as root, or leave "
                    + "this module out: mvn -B verify -pl '!packaging/deb'");
        }
        for (String tool : List.of("dpkg", "dpkg-deb", "dpkg-query", "systemd-analyze", "runuser", "getent",
                "deb-systemd-helper", "adduser", "unshare", "setpriv", "awk")) {
            if (run("sh", "-c", "command -v " + tool).exit != 0) {
                fail("DebianPackageIT needs '" + tool + "', which is not on this machine's PATH ("
                        + "apt-get install " + switch (tool) {
                            case "systemd-analyze" -> "systemd";
                            case "deb-systemd-helper" -> "init-system-helpers";
                            case "runuser", "unshare", "setpriv" -> "util-linux";
                            case "getent" -> "libc-bin";
                            case "dpkg-deb", "dpkg-query" -> "dpkg";
                            case "awk" -> "mawk";
                            default -> tool;
                        }
                        + "; .ci/run installs what the test needs).");
            }
        }
        Result status = run("dpkg-query", "-W", "-f", "${Status}", "edgeflow");
        List<String> present = new ArrayList<>();
        if (status.exit == 0 && !status.stdout.contains("not-installed")) {
            present.add("the package edgeflow (" + status.stdout.strip() + ")");
        }
        for (Path p : List.of(DATA_DIR, ENV_FILE.getParent(), Path.of("/opt/edgeflow"))) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                present.add(p.toString());
            }
        }
        if (run("getent", "passwd", "edgeflow").exit == 0) {
            present.add("the user edgeflow");
        }
        if (!present.isEmpty()) {
            fail("DebianPackageIT refuses to run: this machine already has " + String.join(", ", present)
                    + ", which the test would replace and purge. Run it on a machine without EdgeFlow installed.");
        }
    }

    @AfterAll
    static void purgeWhatWeInstalled() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        if (!machineTouched) {
            return;
        }
        List<String> cleaned = new ArrayList<>();
        Result status = run("dpkg-query", "-W", "-f", "${Status}", "edgeflow");
        if (status.exit == 0 && !status.stdout.contains("not-installed")) {
            Result purge = run("dpkg", "-P", "edgeflow");
            cleaned.add("dpkg -P edgeflow (exit " + purge.exit + ")");
        }
        // none of these existed before the test (machineIsOurs): what is left, a broken purge left
        if (run("getent", "passwd", "edgeflow").exit == 0 && run("userdel", "edgeflow").exit == 0) {
            cleaned.add("user edgeflow");
        }
        if (run("getent", "group", "edgeflow").exit == 0 && run("groupdel", "edgeflow").exit == 0) {
            cleaned.add("group edgeflow");
        }
        for (Path dir : List.of(DATA_DIR, ENV_FILE.getParent(), Path.of("/opt/edgeflow"))) {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && run("rm", "-rf", dir.toString()).exit == 0) {
                cleaned.add(dir.toString());
            }
        }
        if (!cleaned.isEmpty()) {
            System.err.println("DebianPackageIT cleanup removed: " + String.join(", ", cleaned));
        }
    }

    @Test
    void installRunUpgradeRemovePurge() throws Exception {
        Path deb = thePackage();
        String version = field(deb, "Version");
        assertThat(field(deb, "Package")).isEqualTo("edgeflow");
        assertThat(field(deb, "Architecture")).isEqualTo("all");
        assertThat(field(deb, "Depends")).contains("default-jre-headless (>= 2:1.17) | openjdk-17-jre-headless");
        assertThat(run("dpkg-deb", "-I", deb.toString(), "conffiles").stdout.strip()).isEqualTo(ENV_FILE.toString());
        String contents = run("dpkg-deb", "-c", deb.toString()).stdout;
        assertThat(contents)
                .containsPattern("-rwxr-xr-x root/root .* \\./opt/edgeflow/edgeflow\\n")
                .containsPattern("-rw-r--r-- root/root .* \\./opt/edgeflow/edgeflow\\.jar\\n")
                .containsPattern("-rw-r--r-- root/root .* \\./lib/systemd/system/edgeflow\\.service\\n")
                .containsPattern("-rw------- root/root .* \\./etc/edgeflow/\\.env\\n");

        Path newer = newerPackage(deb, version + "+upgradetest1");
        assertThat(run("dpkg", "--compare-versions", field(newer, "Version"), "gt", version).exit)
                .as("the repacked package is newer").isZero();

        // install
        machineTouched = true;
        Result install = ok(run("dpkg", "-i", deb.toString()));
        assertThat(install.stderr).doesNotContain("warning");
        assertThat(installedVersion()).isEqualTo("install ok installed " + version);
        String user = run("getent", "passwd", "edgeflow").stdout.strip();
        assertThat(user.split(":")).as(user).satisfies(f -> {
            assertThat(Integer.parseInt(f[2])).as("a system uid").isLessThan(1000);
            assertThat(f[5]).isEqualTo("/var/lib/edgeflow");
            assertThat(f[6]).isEqualTo("/usr/sbin/nologin");
        });
        assertOwnerAndMode(DATA_DIR, "edgeflow:edgeflow", "rwx------");
        assertOwnerAndMode(ENV_FILE, "edgeflow:edgeflow", "rw-------");
        assertOwnerAndMode(Path.of("/opt/edgeflow/edgeflow"), "root:root", "rwxr-xr-x");
        assertThat(Files.readString(ENV_FILE)).contains("# EDGEFLOW_SAAS_ENABLED=true")
                .doesNotContainPattern("(?m)^\\s*[A-Z]");
        assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/edgeflow.service"))
                .as("enabled like a debhelper-built service").isSymbolicLink();

        // the unit
        Result verify = run("systemd-analyze", "verify", UNIT.toString());
        assertThat(verify.exit).as("systemd-analyze verify: %s%s", verify.stdout, verify.stderr).isZero();
        assertThat(verify.stdout + verify.stderr).as("systemd-analyze verify says nothing").doesNotContain("edgeflow");
        Result security = run("systemd-analyze", "security", "--offline=true", "--threshold=35", UNIT.toString());
        assertThat(security.exit).as("exposure (systemd-analyze security) at most 3.5:\n%s", security.stdout).isZero();
        String unit = Files.readString(UNIT);
        assertThat(unit).contains("ProtectSystem=strict\n", "ProtectHome=yes\n", "PrivateTmp=yes\n",
                "NoNewPrivileges=yes\n", "CapabilityBoundingSet=\n", "StateDirectory=edgeflow\n",
                "StateDirectoryMode=0700\n", "Restart=on-failure\n", "User=edgeflow\n", "UMask=0077\n");

        // run the unit's command line as its user in a sandbox like the unit's (systemd is not PID 1 on a CI machine)
        Result probe = run("unshare", "--mount", "--propagation", "private", "sh", "-c", LIKE_THE_UNIT, "sh",
                "sh", "-c", "echo EDGEFLOW_SAAS_ENABLED=true >> /etc/edgeflow/.env");
        assertThat(probe.exit).as("in the sandbox the edgeflow user cannot write its own settings file").isNotZero();
        assertThat(probe.stderr).contains("Read-only file system");
        int port = freePort();
        Agent agent = startAgent(unit, List.of("EDGEFLOW_HTTP_PORT=" + port), true);
        String status = agent.awaitStatus(port);
        assertThat(status).startsWith("{").contains("\"status\"");
        agent.stop();
        assertOwnerAndMode(DATA_DIR, "edgeflow:edgeflow", "rwx------");
        assertOwnerAndMode(DATA_DIR.resolve("framework"), "edgeflow:edgeflow", "rwx------");
        assertThat(filesIn(DATA_DIR)).as("everything the agent wrote is its own and private").allSatisfy(p -> {
            assertThat(owner(p)).as(p.toString()).isEqualTo("edgeflow:edgeflow");
            assertThat(mode(p)).as(p.toString()).endsWith("---");
        });
        assertThat(DATA_DIR.resolve("edgeflow.jsa")).as("the class data sharing archive of the first stop").exists();

        // the operator edits the conffile; the upgrade keeps it, without asking (stdin is /dev/null)
        int port2 = freePort();
        String edited = Files.readString(ENV_FILE) + "EDGEFLOW_HTTP_PORT=" + port2 + "\n";
        Files.writeString(ENV_FILE, edited);
        Result upgrade = ok(run("dpkg", "-i", newer.toString()));
        assertThat(installedVersion()).isEqualTo("install ok installed " + version + "+upgradetest1");
        assertThat(Files.readString(ENV_FILE)).isEqualTo(edited);
        assertOwnerAndMode(ENV_FILE, "edgeflow:edgeflow", "rw-------");
        assertThat(Files.list(ENV_FILE.getParent()).map(Path::toString).collect(Collectors.toList()))
                .as("no .dpkg-dist or .dpkg-new beside it: %s", upgrade.stdout).containsExactly(ENV_FILE.toString());
        assertThat(DATA_DIR.resolve("framework")).as("the data survive an upgrade").isDirectory();
        assertThat(DATA_DIR.resolve("edgeflow.jsa")).as("the archive of the old jar is gone").doesNotExist();

        // the upgraded agent, started with runuser, reads its port from the kept conffile
        Agent upgraded = startAgent(Files.readString(UNIT), List.of(), false);
        assertThat(upgraded.awaitStatus(port2)).startsWith("{").contains("\"status\"");
        upgraded.stop();

        // remove: the program goes, the data, the settings and the user stay
        ok(run("dpkg", "-r", "edgeflow"));
        assertThat(installedVersion()).startsWith("deinstall ok config-files");
        assertThat(Path.of("/opt/edgeflow")).doesNotExist();
        assertThat(UNIT).doesNotExist();
        assertThat(DATA_DIR.resolve("framework")).isDirectory();
        assertOwnerAndMode(DATA_DIR, "edgeflow:edgeflow", "rwx------");
        assertThat(Files.readString(ENV_FILE)).isEqualTo(edited);
        assertThat(run("getent", "passwd", "edgeflow").exit).isZero();

        // purge: nothing stays
        ok(run("dpkg", "-P", "edgeflow"));
        assertThat(run("dpkg-query", "-W", "-f", "${Status}", "edgeflow").stdout).doesNotContain("config-files");
        assertThat(DATA_DIR).doesNotExist();
        assertThat(ENV_FILE.getParent()).doesNotExist();
        assertThat(Path.of("/opt/edgeflow")).doesNotExist();
        assertThat(run("getent", "passwd", "edgeflow").exit).as("the user is gone").isNotZero();
        assertThat(run("getent", "group", "edgeflow").exit).as("the group is gone").isNotZero();
        for (String left : List.of("/etc/systemd/system/multi-user.target.wants/edgeflow.service",
                "/etc/systemd/system/edgeflow.service")) {
            assertThat(Files.exists(Path.of(left), LinkOption.NOFOLLOW_LINKS)).as(left).isFalse();
        }
        for (String state : List.of("/var/lib/systemd/deb-systemd-helper-enabled", "/var/lib/systemd/deb-systemd-helper-masked")) {
            if (Files.isDirectory(Path.of(state))) {
                assertThat(filesIn(Path.of(state))).as("deb-systemd-helper's records").noneMatch(p -> p.toString().contains("edgeflow"));
            }
        }
    }

    // --- the package

    private static Path thePackage() throws IOException {
        Path dir = Path.of(System.getProperty("edgeflow.deb.dir", "target"));
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> debs = files.filter(p -> p.getFileName().toString().matches("edgeflow_.+_all\\.deb")).toList();
            assertThat(debs).as("exactly one edgeflow_<version>_all.deb in %s (mvn clean removes old ones)", dir)
                    .hasSize(1);
            return debs.get(0);
        }
    }

    private static String field(Path deb, String name) throws Exception {
        return ok(run("dpkg-deb", "-f", deb.toString(), name)).stdout.strip();
    }

    /** The same package with a higher version, repacked with dpkg-deb: what the next release would install over it. */
    private Path newerPackage(Path deb, String version) throws Exception {
        Path tree = work.resolve("newer");
        ok(run("dpkg-deb", "-R", deb.toString(), tree.toString()));
        Path control = tree.resolve("DEBIAN/control");
        String text = Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version);
        Files.writeString(control, text);
        Path newer = work.resolve("edgeflow_" + version + "_all.deb");
        ok(run("dpkg-deb", "--root-owner-group", "-b", tree.toString(), newer.toString()));
        return newer;
    }

    private static String installedVersion() throws Exception {
        return run("dpkg-query", "-W", "-f", "${Status} ${Version}", "edgeflow").stdout.strip();
    }

    // --- the agent, started from the unit's ExecStart= and Environment=

    /**
     * Approximates the unit's sandbox without systemd (not PID 1 on a CI machine), in a mount namespace of its own:
     * ProtectSystem=strict (every mount read-only but the state directory and /dev, /proc, /sys), ProtectHome=yes,
     * PrivateTmp=yes, User=/Group=, NoNewPrivileges=yes, an empty CapabilityBoundingSet=, UMask=0077. Then it execs
     * its arguments. The seccomp, namespace and address-family options are left to systemd.
     */
    private static final String LIKE_THE_UNIT = """
            set -e
            mount --make-rprivate /
            mount --bind /var/lib/edgeflow /var/lib/edgeflow
            awk '{ print $5 }' /proc/self/mountinfo | sort -u | while read -r m; do
              case "$m" in
                /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/var/lib/edgeflow) ;;
                *) mount -o remount,bind,ro "$(printf '%b' "$m")" ;;
              esac
            done
            mount -t tmpfs -o mode=1777 tmpfs /tmp
            mount -t tmpfs -o mode=1777 tmpfs /var/tmp
            for d in /home /root /run/user; do [ -d "$d" ] && mount -t tmpfs -o mode=000 tmpfs "$d"; done
            umask 077
            exec setpriv --reuid=edgeflow --regid=edgeflow --init-groups --no-new-privs --bounding-set=-all \
                --inh-caps=-all -- "$@"
            """;

    /** Starts the unit's ExecStart= with its Environment= as the edgeflow user, in {@link #LIKE_THE_UNIT} or with runuser. */
    private Agent startAgent(String unit, List<String> extraEnvironment, boolean sandboxed) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "-i",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"));
        command.addAll(unitValues(unit, "Environment"));
        command.addAll(extraEnvironment);
        List<String> execStart = unitValues(unit, "ExecStart");
        assertThat(execStart).as("one ExecStart=").hasSize(1);
        command.addAll(List.of(execStart.get(0).split(" ")));
        List<String> launch = new ArrayList<>();
        if (sandboxed) {
            launch.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", LIKE_THE_UNIT, "sh"));
        } else {
            // the unit's UMask=0077: runuser keeps the umask it inherits, so set it for the child
            launch.addAll(List.of("sh", "-c", "umask 077 && exec \"$@\"", "sh", "runuser", "-u", "edgeflow", "--"));
        }
        launch.addAll(command);
        Path log = work.resolve("agent-" + started.size() + ".log");
        Process process = new ProcessBuilder(launch).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        started.add(process);
        return new Agent(process, log);
    }

    private static List<String> unitValues(String unit, String key) {
        return unit.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).toList();
    }

    private record Agent(Process process, Path log) {
        /** Waits until the local API answers its status, or the agent exits, or {@link #AGENT_START} passes. */
        String awaitStatus(int port) throws Exception {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/saas/status"))
                    .timeout(Duration.ofSeconds(10)).build();
            Instant deadline = Instant.now().plus(AGENT_START);
            String last = "no answer";
            while (Instant.now().isBefore(deadline)) {
                try {
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200
                            && response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                        return response.body();
                    }
                    last = response.statusCode() + " " + response.body();
                } catch (ConnectException e) {
                    last = "connection refused";
                }
                try {
                    // waits on the agent: returns at once if it exits
                    process.onExit().get(250, TimeUnit.MILLISECONDS);
                    fail("the agent exited with " + process.exitValue() + " before it served its status:\n" + output());
                } catch (TimeoutException stillRunning) {
                    // ask again
                }
            }
            return fail("no JSON status on port " + port + " within " + AGENT_START + " (last: " + last + "):\n" + output());
        }

        /** Stops the agent by the PID it wrote to agent.lock, as systemd would: SIGTERM, then waits for it. */
        void stop() throws Exception {
            long pid = Long.parseLong(Files.readString(DATA_DIR.resolve("agent.lock")).strip());
            ProcessHandle java = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
            assertThat(java.info().user()).hasValue("edgeflow");
            assertThat(Stream.concat(Stream.of(process.toHandle()), process.descendants()).map(ProcessHandle::pid))
                    .as("the agent is the one we started (or its child)").contains(pid);
            java.destroy();
            java.onExit().get(60, TimeUnit.SECONDS);
            process.onExit().get(30, TimeUnit.SECONDS);
            assertThat(process.exitValue()).as("exit status after SIGTERM (143 is SuccessExitStatus=):\n%s", output())
                    .isIn(0, 143);
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // --- files

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.sorted(Comparator.naturalOrder()).toList();
        }
    }

    private static void assertOwnerAndMode(Path path, String owner, String mode) throws IOException {
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).as(path + " exists").isTrue();
        assertThat(owner(path)).as("owner of " + path).isEqualTo(owner);
        assertThat(mode(path)).as("mode of " + path).isEqualTo(mode);
    }

    private static String owner(Path path) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName() + ":"
                    + Files.readAttributes(path, java.nio.file.attribute.PosixFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS).group().getName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    // --- commands

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result ok(Result result) {
        assertThat(result.exit).as("exit status; stdout:\n%s\nstderr:\n%s", result.stdout, result.stderr).isZero();
        return result;
    }

    private static Result run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        var stderr = process.getErrorStream();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(stderr));
        String out = read(process.getInputStream());
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 300 s");
        }
        return new Result(process.exitValue(), out, err.get());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
