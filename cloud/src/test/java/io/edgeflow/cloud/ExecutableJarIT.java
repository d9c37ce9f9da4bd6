package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code target/edgeflow-cloud.jar}, run with {@code java -jar} as a user would: the shaded
 * jar must hold everything (Jetty, SQLite's native library, BouncyCastle, the PostgreSQL driver, HikariCP,
 * Flyway with its PostgreSQL plugin and the migrations).
 */
class ExecutableJarIT {
    @TempDir
    Path dir;
    private Process server;

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("edgeflow.cloud.jar", "target/edgeflow-cloud.jar"));
        assertThat(jar).exists();
        return jar;
    }

    private static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    record Result(int status, String out) {
    }

    private Result run(String... args) throws Exception {
        Process p = new ProcessBuilder(java(args)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void theJarServesAndItsCliTalksToIt() throws Exception {
        Result help = run("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("serve").contains("code create").contains("devices revoke");

        server = new ProcessBuilder(java("serve", "--port", "0")).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        String url = null;
        StringBuilder seen = new StringBuilder();
        BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; url == null && (line = in.readLine()) != null;) {
            seen.append(line).append('\n');
            Matcher m = Pattern.compile("Listening on (https://\\S+)").matcher(line);
            if (m.find()) {
                url = m.group(1);
            }
        }
        assertThat(url).as(seen.toString()).isNotNull();
        StringBuffer log = new StringBuffer();
        Thread drain = new Thread(() -> {
            try {
                for (String line; (line = in.readLine()) != null;) {
                    log.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the server stopped
            }
        });
        drain.setDaemon(true);
        drain.start();
        // the default data directory, relative to the working directory
        Path data = dir.resolve("data/cloud");
        assertThat(seen.toString()).contains("Created a local CA: " + data.resolve("ca.pem"));
        assertThat(data.resolve("admin-token")).exists();

        Result created = run("code", "create", "--ttl", "24h", "--label", "from the jar", "--url", url);
        assertThat(created.status()).as(created.out()).isZero();
        Matcher code = Pattern.compile("PROV-[0-9A-Z]{4}-[0-9A-Z]{4}").matcher(created.out());
        assertThat(code.find()).isTrue();

        var client = java.net.http.HttpClient.newBuilder().sslContext(TestCloud.trusting(data.resolve("ca.pem")))
                .build();
        var register = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url
                + "/api/v1/devices/register")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(TestCloud.JSON.writeValueAsBytes(
                        TestCloud.registration(code.group(), UUID.randomUUID().toString())))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(register.statusCode()).as(register.body()).isEqualTo(201);

        Result devices = run("devices", "list", "--url", url);
        assertThat(devices.status()).isZero();
        assertThat(devices.out()).contains("pending").contains("edgeflow-pi-001");
        Result list = run("code", "list", "--url", url);
        assertThat(list.out()).contains("claimed").contains("from the jar");
        assertThat(Files.readString(data.resolve("admin-token")).trim()).startsWith("efa_");

        // malformed requests quoting what a client chose (a second Host with C1 controls, a CONNECT to a
        // path): each gets its JSON 400 and leaves nothing in the log
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        javax.net.ssl.SSLContext tls = TestCloud.trusting(data.resolve("ca.pem"));
        RawHttp.Reply twoHosts = RawHttp.exchange(tls, port, ("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Host: x\u0085FORGED\u009b2J\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(twoHosts.status()).isEqualTo(400);
        RawHttp.Reply connect = RawHttp.send(tls, port, "CONNECT", "/api/v1/FORGED", null, null);
        assertThat(connect.status()).isEqualTo(400);
        assertThat(run("code", "list", "--url", url).status()).isZero(); // a request after them, answered

        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        drain.join(10_000);
        assertThat(log.toString()).as("the server's log").doesNotContain("FORGED").doesNotContain("\u0085")
                .doesNotContain("\u009b");
        assertThat(server.exitValue()).as("SIGTERM stops it cleanly").isIn(0, 143);
    }

    /** Starts {@code serve --port 0} from the jar in {@link #dir}; returns its URL and what it printed until then. */
    private String[] serve(String databaseUrl) throws IOException {
        ProcessBuilder serve = new ProcessBuilder(java("serve", "--port", "0")).directory(dir.toFile())
                .redirectErrorStream(true);
        if (databaseUrl != null) {
            serve.environment().put("EDGEFLOW_CLOUD_DATABASE_URL", databaseUrl);
        }
        server = serve.start();
        StringBuilder seen = new StringBuilder();
        BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null;) {
            seen.append(line).append('\n');
            Matcher m = Pattern.compile("Listening on (https://\\S+)").matcher(line);
            if (m.find()) {
                return new String[] {m.group(1), seen.toString()};
            }
        }
        throw new AssertionError("the server did not start:\n" + seen);
    }

    private void stop() throws InterruptedException {
        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aSqliteCloudCopiedIntoPostgresqlServesFromThereWithTheSameToken() throws Exception {
        PostgresServer pg = PostgresServer.get();
        String database = pg.newDatabase();
        String[] sqlite = serve(null);
        assertThat(sqlite[1]).contains("Database: SQLite ");
        assertThat(run("code", "create", "--label", "made on sqlite", "--url", sqlite[0]).status()).isZero();
        stop();

        Result copy = run("copy-database", "--to", database);
        assertThat(copy.status()).as(copy.out()).isZero();
        assertThat(copy.out()).contains("provisioning_codes: 1 row").contains("admin_tokens: 1 row")
                .doesNotContain(pg.password());

        String[] postgresql = serve(database);
        assertThat(postgresql[1]).contains("Database: PostgreSQL postgresql://" + PostgresServer.USER + "@127.0.0.1:"
                + pg.port() + "/" + PostgresServer.DATABASE).contains("schema 4 (0 migrations applied)")
                .doesNotContain(pg.password());
        // the admin token file of the data directory still works: its hash came along
        assertThat(run("code", "create", "--label", "made on postgresql", "--url", postgresql[0]).status()).isZero();
        assertThat(run("code", "list", "--url", postgresql[0]).out()).contains("made on sqlite")
                .contains("made on postgresql");
        assertThat(pg.rowsAsText(database)).contains("made on postgresql");
        stop();
    }
}
