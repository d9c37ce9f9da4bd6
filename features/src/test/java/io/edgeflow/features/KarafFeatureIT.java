package io.edgeflow.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Apache Karaf 4.4.8 (the minimal distribution from Maven Central, unpacked by the build) started as a process on
 * free loopback ports, with our feature repository added and the feature {@code edgeflow} installed at boot, and
 * EdgeFlow configured through {@code etc/io.edgeflow.*.cfg}, as an operator would; then the local API's endpoints
 * are asked on Karaf's HTTP port.
 */
class KarafFeatureIT {
    private static final Duration BOOT = Duration.ofSeconds(180);

    private Path karaf;
    private Path data;
    private Process process;
    private int httpPort;

    @BeforeEach
    void unpackedKaraf() throws IOException {
        karaf = Path.of(System.getProperty("karaf.home"));
        assertThat(karaf.resolve("bin/karaf")).as("Karaf unpacked by the build").isRegularFile();
        // a rerun without `clean` starts from the distribution's state, not from the last run's
        deleteTree(karaf.resolve("data"));
        httpPort = freePort();
        int sshPort = freePort();

        Path features = karaf.resolve("edgeflow-features.xml");
        Files.writeString(features, repositoryWithBuiltBundles());
        String cfg = Files.readString(karaf.resolve("etc/org.apache.karaf.features.cfg"));
        cfg = cfg.replace("featuresRepositories = \\\n",
                        "featuresRepositories = \\\n    " + features.toUri() + ", \\\n")
                .replace("featuresBoot = \\\n", "featuresBoot = \\\n    edgeflow, \\\n");
        assertThat(cfg).contains(features.toUri().toString()).contains("    edgeflow, \\");
        Files.writeString(karaf.resolve("etc/org.apache.karaf.features.cfg"), cfg);
        Files.writeString(karaf.resolve("etc/org.ops4j.pax.web.cfg"), "org.osgi.service.http.port = " + httpPort
                + "\norg.ops4j.pax.web.listening.addresses = 127.0.0.1\n");
        String shell = Files.readString(karaf.resolve("etc/org.apache.karaf.shell.cfg"));
        Files.writeString(karaf.resolve("etc/org.apache.karaf.shell.cfg"),
                shell.replace("sshPort = 8101", "sshPort = " + sshPort).replace("sshHost = 0.0.0.0", "sshHost = 127.0.0.1"));
    }

    @AfterEach
    void stopKaraf() throws InterruptedException, IOException {
        try {
            stop();
        } finally {
            if (data != null) {
                deleteTree(data);
            }
        }
    }

    private void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        // bin/karaf runs Java as its child: stop that too (SIGTERM, then SIGKILL), only what this test started,
        // and wait until each has gone, so the next test or build finds its ports free
        List<ProcessHandle> started = new ArrayList<>(process.descendants().toList());
        started.add(process.toHandle());
        started.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : started) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException stillRunning) {
                handle.destroyForcibly();
                handle.onExit().completeOnTimeout(handle, 10, TimeUnit.SECONDS).join();
            }
        }
    }

    @Test
    void theFeatureInstallsAndTheLocalApiAnswersOnKarafsPort() throws Exception {
        data = Files.createTempDirectory("edgeflow-karaf-data");
        Path log = karaf.resolve("karaf-console.log");
        ProcessBuilder builder = new ProcessBuilder(karaf.resolve("bin/karaf").toString(), "server")
                .directory(karaf.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        // configured the Karaf way only, through etc/*.cfg (Felix File Install), not the agent's environment
        env.keySet().removeIf(name -> name.startsWith("EDGEFLOW_"));
        int cloudPort = freePort();
        Files.writeString(karaf.resolve("etc/io.edgeflow.agent.cfg"), "data_dir = " + data + "\n");
        Files.writeString(karaf.resolve("etc/io.edgeflow.saas.cfg"), "url = 127.0.0.1:" + cloudPort + "\n");
        Instant started = Instant.now();
        process = builder.start();

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/saas/status"))
                .timeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> answer = null;
        Instant deadline = started.plus(BOOT);
        while (Instant.now().isBefore(deadline)) {
            answer = tryGet(client, status);
            if (answer != null && answer.statusCode() == 200) {
                break;
            }
            // waits for Karaf to exit, which would be the failure, and paces the polling meanwhile
            if (process.waitFor(500, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Karaf exited (" + process.exitValue() + "):\n" + tail(log));
            }
        }
        System.out.println("Karaf: first answer of /api/v1/saas/status after "
                + Duration.between(started, Instant.now()).toMillis() + " ms");
        assertThat(answer).as("an answer within %s; Karaf's log:%n%s", BOOT, tail(karaf.resolve("data/log/karaf.log")))
                .isNotNull();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(answer.body()).contains("\"status\"").contains("127.0.0.1:" + cloudPort);
        assertThat(Files.readString(karaf.resolve("data/log/karaf.log")))
                .as("the vault under etc/io.edgeflow.agent.cfg's data_dir, from its first activation")
                .contains("Credential vault " + data.resolve("vault")).doesNotContain("/var/lib/edgeflow");

        HttpResponse<String> facts = client.send(HttpRequest.newBuilder(api("/api/v1/device/facts")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(facts.statusCode()).isEqualTo(200);
        assertThat(facts.body()).startsWith("{");

        // every servlet serves, not only the first (Pax Web keys them by name): a bad request gets our JSON error
        HttpResponse<String> provision = client.send(HttpRequest.newBuilder(api("/api/v1/saas/provision"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(provision.statusCode()).isBetween(400, 499);
        assertThat(provision.body()).contains("\"error\"");

        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(api("/api/v1/no-such-thing")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"error\"");
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** The built repository, with our bundles as the files this build made (not whatever ~/.m2 holds). */
    private static String repositoryWithBuiltBundles() throws IOException {
        String xml = Files.readString(Path.of(System.getProperty("edgeflow.features")));
        for (String bundle : System.getProperty("edgeflow.bundles").split(",")) {
            String[] parts = bundle.split("=", 2);
            String url = "mvn:io.edgeflow/" + parts[0] + "/" + System.getProperty("edgeflow.version");
            assertThat(xml).contains(url);
            xml = xml.replace(url, Path.of(parts[1]).toUri().toString());
        }
        return xml;
    }

    private static HttpResponse<String> tryGet(HttpClient client, HttpRequest request) throws InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException notYet) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no " + file + ")";
        }
        String text = Files.readString(file);
        return text.length() > 8000 ? text.substring(text.length() - 8000) : text;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
