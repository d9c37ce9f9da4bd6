package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;

/**
 * The executable agent's data directory as an attacker with a copy of it (a backup, a support bundle, another
 * local user) sees it: no secret in clear in any file, owner-only permissions, and one agent per directory.
 */
public class AgentDataDirectoryIT {
    private final List<Process> started = new ArrayList<>();

    @After
    public void stopWhatWeStarted() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process start(Path dir, Map<String, String> env, Path log, boolean script) throws IOException {
        List<String> command = script
                ? List.of(EdgeFlowRuntime.launcherJar().resolveSibling("edgeflow").toString())
                : List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                        EdgeFlowRuntime.launcherJar().toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EDGEFLOW_") || k.equalsIgnoreCase("https_proxy"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("EDGEFLOW_CDS_ARCHIVE", "off");
        builder.environment().putAll(env);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static void awaitLine(Path log, String needle, Process process, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (text.contains(needle)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the agent exited (" + process.exitValue() + ") before printing '" + needle
                        + "':\n" + text);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no line with '" + needle + "' within " + timeout + ":\n" + Files.readString(log));
    }

    private static void stop(Process agent) throws InterruptedException {
        agent.destroy(); // SIGTERM
        assertTrue("the agent did not stop within 30 s of SIGTERM", agent.waitFor(30, TimeUnit.SECONDS));
    }

    private static int provisionStatus(int port, String token) throws Exception {
        String url = "http://127.0.0.1:" + port + "/api/v1/saas/provision";
        String body = "{\"provisioning_code\": \"not-a-code\"}";
        return (token == null ? Http.send("POST", url, body, "application/json")
                : Http.sendWithHeader("POST", url, body, "application/json", "Authorization", "Bearer " + token))
                .statusCode();
    }

    /** Every substring of the secret of at least 8 characters. */
    private static List<String> pieces(String secret) {
        List<String> pieces = new ArrayList<>();
        for (int length = 8; length <= secret.length(); length++) {
            for (int i = 0; i + length <= secret.length(); i++) {
                pieces.add(secret.substring(i, i + length));
            }
        }
        return pieces;
    }

    /** Fails if any file under the directory holds a substring (8 characters or more) of a secret. */
    private static void assertNoSecretIn(Path dir, List<String> secrets) throws IOException {
        List<Path> files;
        try (Stream<Path> all = Files.walk(dir)) {
            files = all.filter(Files::isRegularFile).toList();
        }
        assertTrue("too few files to be the agent's data directory: " + files, files.size() > 20);
        for (Path file : files) {
            // ISO-8859-1 maps every byte to one char: text files and binary ones are searched alike
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                for (String piece : pieces(secret)) {
                    assertFalse(file + " holds '" + piece + "' of a secret", content.contains(piece));
                }
            }
        }
    }

    private static void assertOwnerOnly(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertEquals(p + " is " + mode, "------", mode.substring(3));
            }
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    public void noSecretIsWrittenInClearUnderTheDataDirectoryAndEveryFileIsTheAgentsOwn() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("secrets");
        Path data = dir.resolve("data");
        String token = "tok-" + UUID.randomUUID();
        String proxyPassword = "pxw-" + UUID.randomUUID();
        String code = "PROV-7K3M-9QXZ"; // never consumed: the cloud cannot be reached
        int port = EdgeFlowRuntime.freePort();
        int nowhere = EdgeFlowRuntime.freePort(); // nothing listens there: the code stays unused
        Map<String, String> env = new HashMap<>(Map.of("EDGEFLOW_DATA_DIR", data.toString(), "EDGEFLOW_ENV_FILE",
                dir.resolve("absent.env").toString(), "EDGEFLOW_HTTP_PORT", Integer.toString(port),
                "EDGEFLOW_API_TOKEN", token, "EDGEFLOW_SAAS_ENABLED", "true", "EDGEFLOW_SAAS_URL",
                "127.0.0.1:" + nowhere, "EDGEFLOW_PROVISIONING_CODE", code, "EDGEFLOW_HTTPS_PROXY",
                "http://edge:" + proxyPassword + "@127.0.0.1:" + nowhere));

        Path log = dir.resolve("agent.log");
        Process agent = start(dir, env, log, true);
        awaitLine(log, "EdgeFlow agent ready", agent, Duration.ofSeconds(60));
        awaitLine(log, "using the code PROV-****-9QXZ", agent, Duration.ofSeconds(30)); // the code is in force
        awaitLine(log, "retrying in", agent, Duration.ofSeconds(30)); // and unused: the cloud is unreachable
        assertEquals("the token is in force", 401, provisionStatus(port, null));
        assertNotEquals(401, provisionStatus(port, token));
        stop(agent);

        // restarted with the same variables, which are then not imported again: the secrets come back from
        // (encrypted) framework storage
        Path log2 = dir.resolve("agent2.log");
        Process again = start(dir, env, log2, true);
        awaitLine(log2, "EdgeFlow agent ready", again, Duration.ofSeconds(60));
        awaitLine(log2, "using the code PROV-****-9QXZ", again, Duration.ofSeconds(30));
        assertEquals("the token survived the restart", 401, provisionStatus(port, null));
        assertNotEquals(401, provisionStatus(port, token));
        stop(again);

        assertNoSecretIn(data, List.of(token, proxyPassword, code, "7K3M9QXZ"));
        assertOwnerOnly(data);
        String output = Files.readString(log) + Files.readString(log2);
        for (String secret : List.of(token, proxyPassword, code)) {
            assertFalse("the log shows a secret:\n" + output, output.contains(secret));
        }
    }

    @Test
    public void aSecondAgentOnTheSameDataDirectoryStopsAtOnceWithOneLineNamingTheFirst() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("twice");
        Path data = dir.resolve("data");
        int port = EdgeFlowRuntime.freePort();
        Path log = dir.resolve("first.log");
        Process first = start(dir, Map.of("EDGEFLOW_DATA_DIR", data.toString(), "EDGEFLOW_ENV_FILE",
                dir.resolve("absent.env").toString(), "EDGEFLOW_HTTP_PORT", Integer.toString(port)), log, false);
        awaitLine(log, "EdgeFlow agent ready", first, Duration.ofSeconds(60));

        Path log2 = dir.resolve("second.log");
        Process second = start(dir, Map.of("EDGEFLOW_DATA_DIR", data.toString(), "EDGEFLOW_ENV_FILE",
                dir.resolve("absent.env").toString(), "EDGEFLOW_HTTP_PORT",
                Integer.toString(EdgeFlowRuntime.freePort())), log2, false);
        assertTrue("the second agent did not stop", second.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, second.exitValue());
        List<String> lines = Files.readAllLines(log2).stream().filter(l -> !l.isBlank()).toList();
        assertEquals("one line: " + lines, 1, lines.size());
        assertTrue(lines.get(0), lines.get(0).contains("PID " + first.pid()));
        assertTrue(lines.get(0), lines.get(0).contains(data.toString()));

        assertTrue("the first agent went on", first.isAlive());
        assertEquals(200, Http.get("http://127.0.0.1:" + port + "/api/v1/saas/status").statusCode());
        stop(first);
    }

    @Test
    public void aLocalApiPortInUseIsOneClearErrorNamingItWithoutAStackTrace() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("portinuse");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Path log = dir.resolve("agent.log");
            Process agent = start(dir, Map.of("EDGEFLOW_DATA_DIR", dir.resolve("data").toString(), "EDGEFLOW_ENV_FILE",
                    dir.resolve("absent.env").toString(), "EDGEFLOW_HTTP_PORT", Integer.toString(port)), log, false);
            awaitLine(log, "cannot listen on 127.0.0.1:" + port, agent, Duration.ofSeconds(60));
            awaitLine(log, "Jetty not started", agent, Duration.ofSeconds(30)); // Felix HTTP has had its configuration
            stop(agent);
            String output = Files.readString(log);
            List<String> errors = output.lines().filter(l -> l.contains("[ERROR]")).toList();
            assertEquals(output, 1, errors.size());
            assertTrue(errors.get(0), errors.get(0).contains("127.0.0.1:" + port + ": the port is in use"));
            assertTrue(errors.get(0), errors.get(0).contains("EDGEFLOW_HTTP_PORT"));
            assertFalse(output, output.contains("Exception"));
            assertFalse(output, output.contains("\tat "));
        }
    }

    @Test
    public void anAgentUpgradedInPlaceKeepsItsTokenWhichLeavesTheClear() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("upgrade");
        Path data = dir.resolve("data");
        int port = EdgeFlowRuntime.freePort();
        Map<String, String> env = Map.of("EDGEFLOW_DATA_DIR", data.toString(), "EDGEFLOW_ENV_FILE",
                dir.resolve("absent.env").toString(), "EDGEFLOW_HTTP_PORT", Integer.toString(port));
        Path log = dir.resolve("first.log");
        Process first = start(dir, env, log, false);
        awaitLine(log, "EdgeFlow agent ready", first, Duration.ofSeconds(60));
        stop(first);

        // the token as EdgeFlow 0.1 left it in Config Admin's file: a public property, in clear
        Path httpConfig;
        try (Stream<Path> all = Files.walk(data.resolve("framework"))) {
            httpConfig = all.filter(p -> p.endsWith(Path.of("org", "apache", "felix", "http.config"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no Config Admin file for org.apache.felix.http"));
        }
        String token = "legacy-" + UUID.randomUUID();
        Path localApi = httpConfig.getParent().getParent().getParent().getParent()
                .resolve("io/edgeflow/localapi.config");
        Files.createDirectories(localApi.getParent());
        Files.writeString(localApi, "api_token=\"" + token + "\"\nservice.bundleLocation=\"?\"\n"
                + "service.pid=\"io.edgeflow.localapi\"\n");

        Path log2 = dir.resolve("second.log");
        Process second = start(dir, env, log2, false);
        awaitLine(log2, "EdgeFlow agent ready", second, Duration.ofSeconds(60));
        assertEquals("the upgraded agent lost its token", 401, provisionStatus(port, null));
        assertNotEquals(401, provisionStatus(port, token));
        stop(second);
        assertNoSecretIn(data, List.of(token));
    }
}
