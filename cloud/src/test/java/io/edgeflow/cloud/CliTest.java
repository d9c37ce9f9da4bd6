package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.cli.Cli;

/** The admin CLI against a running server, as an operator types it. */
class CliTest extends RunningCloud {
    record Run(int status, String out, String err) {
    }

    static Run cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(Arrays.asList(args));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** With --url and --data-dir pointing at the test server: the token and CA come from the data directory. */
    static Run admin(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--url", cloud.url(), "--data-dir", cloud.dataDir.toString()));
        return cli(Map.of(), all.toArray(new String[0]));
    }

    @Test
    void codeCreatePrintsTheCodeAloneOnStandardOutput() throws Exception {
        Run run = admin("code", "create", "--ttl", "24h", "--label", "line 3");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).matches("PROV-[0-9A-Z]{4}-[0-9A-Z]{4}\n");
        assertThat(run.err()).contains("expires").contains("line 3");
        String code = run.out().trim();
        assertThat(cloud.register(code).status()).isEqualTo(201);

        Run list = admin("code", "list");
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains("PROV-****-" + code.substring(10)).contains("claimed").contains("line 3")
                .doesNotContain(code);
        assertThat(list.out().lines().findFirst().orElseThrow()).contains("ID").contains("STATE");
    }

    @Test
    void codeRevokeAndStateFilter() throws Exception {
        Run created = admin("code", "create", "--json", "--label", "to revoke");
        String id = TestCloud.JSON.readTree(created.out()).path("id").asText();
        Run revoked = admin("code", "revoke", id);
        assertThat(revoked.status()).isZero();
        assertThat(revoked.out()).contains("Revoked " + id);
        assertThat(admin("code", "list", "--state", "revoked").out()).contains(id);
        assertThat(admin("code", "list", "--state", "active").out()).doesNotContain(id);
    }

    @Test
    void devicesListAndRevoke() throws Exception {
        Answer device = cloud.provisionDevice();
        String id = device.text("device_id");
        Run list = admin("devices", "list");
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains(id).contains("active").contains("edgeflow-pi-001")
                .doesNotContain(device.text("api_key"));

        Run show = admin("devices", "show", id);
        assertThat(show.status()).isZero();
        assertThat(TestCloud.JSON.readTree(show.out()).path("hardware").path("board_model").asText())
                .isEqualTo("Raspberry Pi 4 Model B Rev 1.4");

        Run revoke = admin("devices", "revoke", id);
        assertThat(revoke.status()).isZero();
        assertThat(revoke.out()).contains("Revoked " + id);
        assertThat(cloud.call("GET", "/api/v1/devices/" + id, null, device.text("api_key")).status()).isEqualTo(401);
        assertThat(admin("devices", "list").out()).contains("revoked");

        Run missing = admin("devices", "revoke", "dev_nosuchdevice");
        assertThat(missing.status()).isEqualTo(Cli.REFUSED);
        assertThat(missing.err()).contains("not_found");
    }

    @Test
    void devicesCreatePrintsTheEnvFileWithTheIdAndKeyOnce() throws Exception {
        Run run = admin("devices", "create", "--label", "gateway 2", "--key-ttl", "30d");
        assertThat(run.status()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).isEqualTo("# /etc/edgeflow/.env");
        assertThat(lines.get(1)).isEqualTo("EDGEFLOW_SAAS_ENABLED=true");
        assertThat(lines.get(2)).isEqualTo("EDGEFLOW_SAAS_URL=" + cloud.url().substring("https://".length()));
        assertThat(lines.get(3)).matches("EDGEFLOW_DEVICE_ID=dev_[0-9a-z]{20}");
        assertThat(lines.get(4)).matches("EDGEFLOW_API_KEY=efk_[0-9a-z]+");
        assertThat(lines.get(5)).isEqualTo("EDGEFLOW_SAAS_CA_FILE=" + cloud.dataDir.resolve("ca.pem").toAbsolutePath());
        String id = lines.get(3).substring("EDGEFLOW_DEVICE_ID=".length());
        String key = lines.get(4).substring("EDGEFLOW_API_KEY=".length());
        assertThat(run.err()).contains("Created " + id).contains("pending").contains("gateway 2")
                .contains("shown only now").doesNotContain(key);
        assertThat(Instant.parse(cloud.admin("GET", "/api/v1/admin/devices/" + id, null).body().path("key_expires_at")
                .asText())).isEqualTo(cloud.clock.instant().plus(Duration.ofDays(30)));

        Run list = admin("devices", "list");
        assertThat(list.out()).contains(id).contains("pending").doesNotContain(key);
        assertThat(cloud.confirm(id, key).status()).as("the key works").isEqualTo(200);
        assertThat(admin("devices", "list").out().lines().filter(l -> l.contains(id)).toList()).singleElement()
                .asString().contains(" active ");

        Run json = admin("devices", "create", "--json");
        assertThat(json.status()).isZero();
        JsonNode created = TestCloud.JSON.readTree(json.out());
        assertThat(created.path("device_id").asText()).startsWith("dev_");
        assertThat(created.path("env_file").asText()).contains("EDGEFLOW_API_KEY=" + created.path("api_key").asText());

        Run bad = admin("devices", "create", "--key-ttl", "400d");
        assertThat(bad.status()).isEqualTo(Cli.REFUSED);
        assertThat(bad.err()).contains("api_key_ttl_seconds");
        Run help = cli(Map.of(), "devices", "create", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("--key-ttl").contains("--label").doesNotContain("picocli WARN");
    }

    @Test
    void auditShowsTheTrail() {
        admin("code", "create");
        Run audit = admin("audit", "--limit", "5");
        assertThat(audit.status()).isZero();
        assertThat(audit.out()).contains("code_created").contains("PROV-****-");
    }

    @Test
    void theTokenComesFromTokenFileThenTheEnvironmentThenTheDataDirectory() throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, cloud.adminToken + "\n");
        Path ca = cloud.dataDir.resolve("ca.pem");
        Path emptyDir = dir.resolve("no-such-data");

        Run fromFile = cli(Map.of(), "code", "list", "--url", cloud.url(), "--ca-file", ca.toString(),
                "--data-dir", emptyDir.toString(), "--token-file", tokenFile.toString());
        assertThat(fromFile.status()).as(fromFile.err()).isZero();

        Run fromEnv = cli(Map.of("EDGEFLOW_ADMIN_TOKEN", cloud.adminToken, "EDGEFLOW_CLOUD_URL", cloud.url()),
                "code", "list", "--ca-file", ca.toString(), "--data-dir", emptyDir.toString());
        assertThat(fromEnv.status()).as(fromEnv.err()).isZero();

        Map<String, String> env = new HashMap<>();
        env.put("EDGEFLOW_CLOUD_DATA_DIR", cloud.dataDir.toString());
        env.put("EDGEFLOW_CLOUD_URL", cloud.url());
        Run fromDataDir = cli(env, "devices", "list");
        assertThat(fromDataDir.status()).as(fromDataDir.err()).isZero();

        Run wrong = cli(Map.of("EDGEFLOW_ADMIN_TOKEN", "efa_wrong"), "code", "list", "--url", cloud.url(),
                "--ca-file", ca.toString(), "--data-dir", emptyDir.toString());
        assertThat(wrong.status()).isEqualTo(Cli.REFUSED);
        assertThat(wrong.err()).contains("invalid_credentials");

        Run none = cli(Map.of(), "code", "list", "--url", cloud.url(), "--data-dir", emptyDir.toString());
        assertThat(none.status()).isEqualTo(Cli.UNREACHABLE);
        assertThat(none.err()).contains("admin token");
        for (Run r : List.of(fromFile, fromEnv, fromDataDir, wrong, none)) {
            assertThat(r.out() + r.err()).doesNotContain(cloud.adminToken);
        }
    }

    @Test
    void helpOnEveryCommand() {
        String[][] commands = {{"--help"}, {"serve", "--help"}, {"code", "--help"}, {"code", "create", "--help"},
            {"code", "list", "--help"}, {"code", "revoke", "--help"}, {"devices", "--help"},
            {"devices", "list", "--help"}, {"devices", "show", "--help"}, {"devices", "revoke", "--help"},
            {"audit", "--help"}, {"code", "create", "-h"}};
        for (String[] command : commands) {
            Run run = cli(Map.of(), command);
            assertThat(run.status()).as(String.join(" ", command)).isZero();
            assertThat(run.out()).as(String.join(" ", command)).startsWith("Usage: java -jar edgeflow-cloud.jar");
        }
        assertThat(cli(Map.of(), "serve", "--help").out()).contains("--port").contains("--bind")
                .contains("--data-dir").contains("--cert").contains("--claim-grace");
        assertThat(cli(Map.of(), "code", "create", "--help").out()).contains("--ttl").contains("--label")
                .contains("--token-file").contains("EDGEFLOW_ADMIN_TOKEN").contains("--url");
    }

    @Test
    void mistakesAreExplained() {
        Run unknown = cli(Map.of(), "code", "list", "--colour");
        assertThat(unknown.status()).isEqualTo(Cli.USAGE);
        assertThat(unknown.err()).contains("unknown option --colour");
        Run badTtl = admin("code", "create", "--ttl", "tomorrow");
        assertThat(badTtl.status()).isEqualTo(Cli.USAGE);
        assertThat(badTtl.err()).contains("--ttl").contains("tomorrow");
        Run tooLong = admin("code", "create", "--ttl", "365d");
        assertThat(tooLong.status()).isEqualTo(Cli.REFUSED);
        assertThat(tooLong.err()).contains("invalid_request").contains("ttl_seconds");
        Run noId = admin("devices", "revoke");
        assertThat(noId.status()).isEqualTo(Cli.USAGE);
        assertThat(cli(Map.of(), "frobnicate").status()).isEqualTo(Cli.USAGE);
        assertThat(cli(Map.of()).status()).isEqualTo(Cli.USAGE);

        Run down = cli(Map.of("EDGEFLOW_ADMIN_TOKEN", "efa_x"), "code", "list", "--url", "https://127.0.0.1:1");
        assertThat(down.status()).isEqualTo(Cli.UNREACHABLE);
        assertThat(down.err()).contains("Cannot reach the cloud at https://127.0.0.1:1");
        Run plain = cli(Map.of("EDGEFLOW_ADMIN_TOKEN", "efa_x"), "code", "list", "--url", "http://127.0.0.1:1");
        assertThat(plain.status()).isEqualTo(Cli.UNREACHABLE);
        assertThat(plain.err()).contains("https://");
        Run badServe = cli(Map.of(), "serve", "--max-code-ttl", "1h", "--data-dir", dir.resolve("x").toString());
        assertThat(badServe.status()).isEqualTo(Cli.USAGE);
        assertThat(badServe.err()).contains("--default-code-ttl");
        Run badLimit = cli(Map.of(), "serve", "--max-connections-per-address", "-1", "--data-dir",
                dir.resolve("y").toString());
        assertThat(badLimit.status()).isEqualTo(Cli.USAGE);
        assertThat(badLimit.err()).contains("--max-connections-per-address");
        Run badTimeout = cli(Map.of(), "serve", "--body-timeout", "0", "--data-dir", dir.resolve("z").toString());
        assertThat(badTimeout.status()).isEqualTo(Cli.USAGE);
        assertThat(badTimeout.err()).contains("--body-timeout");
    }

    @Test
    void eachMistakeNamesTheWordThatWasWrong() {
        assertThat(cli(Map.of(), "code", "frob").err()).contains("unknown subcommand 'frob'; use create, list or revoke");
        assertThat(cli(Map.of(), "devices", "frob").err())
                .contains("unknown subcommand 'frob'; use list, show, revoke, call, bundles or config");
        assertThat(cli(Map.of(), "frobnicate").err()).contains("unknown command 'frobnicate'");
        Run noValue = cli(Map.of(), "code", "create", "--ttl");
        assertThat(noValue.status()).isEqualTo(Cli.USAGE);
        assertThat(noValue.err()).contains("--ttl needs a value");
        Run extra = cli(Map.of(), "code", "list", "extra");
        assertThat(extra.status()).isEqualTo(Cli.USAGE);
        assertThat(extra.err()).contains("unexpected argument 'extra'");
        Run twoIds = cli(Map.of(), "devices", "revoke", "dev_a", "dev_b");
        assertThat(twoIds.status()).isEqualTo(Cli.USAGE);
        assertThat(twoIds.err()).contains("devices revoke takes exactly one ID");
        Run badPort = cli(Map.of(), "serve", "--port", "abc", "--data-dir", dir.resolve("p").toString());
        assertThat(badPort.status()).isEqualTo(Cli.USAGE);
        assertThat(badPort.err()).contains("--port: 'abc' is not a whole number");
        Run badMethod = cli(Map.of(), "devices", "call", "dev_a", "PATCH", "/api/v1/x");
        assertThat(badMethod.status()).isEqualTo(Cli.USAGE);
        assertThat(badMethod.err()).contains("METHOD must be GET, POST, PUT or DELETE, not 'PATCH'");
        for (Run r : List.of(noValue, extra, twoIds, badPort, badMethod)) {
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void aValueStartingWithAtIsTakenAsItIsNeverAsAFileToRead() throws Exception {
        Path file = dir.resolve("label.txt");
        Files.writeString(file, "from the file");
        Run created = admin("code", "create", "--json", "--label", "@" + file);
        assertThat(created.status()).as(created.err()).isZero();
        assertThat(TestCloud.JSON.readTree(created.out()).path("label").asText()).isEqualTo("@" + file);
    }

    @Test
    void helpOfTheUpdateCommandsFormatsWithoutPicocliWarnings() {
        // picocli reads descriptions as format strings: a bare '%' (waves of "10%") made it print a WARN to stderr
        // and the raw text
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (String[] command : new String[][] {{"--help"}, {"deployments", "create", "--help"},
                {"deployments", "--help"}, {"artifacts", "--help"}, {"artifacts", "upload", "--help"}}) {
                Run run = cli(Map.of(), command);
                assertThat(run.status()).as(String.join(" ", command)).isZero();
                assertThat(run.out() + run.err()).as(String.join(" ", command)).doesNotContain("picocli WARN");
            }
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
        assertThat(cli(Map.of(), "deployments", "create", "--help").out()).contains("1,10%,100%")
                .contains("percentages (10%); default 100%");
    }

    @Test
    void versionAndHelpWords() {
        assertThat(cli(Map.of(), "version").out()).startsWith("edgeflow-cloud ");
        assertThat(cli(Map.of(), "--version").out()).startsWith("edgeflow-cloud ");
        Run help = cli(Map.of(), "help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).startsWith("Usage: java -jar edgeflow-cloud.jar").contains("serve", "code", "devices",
                "audit");
        Run codeAlone = cli(Map.of(), "code");
        assertThat(codeAlone.status()).isEqualTo(Cli.USAGE);
        assertThat(codeAlone.out()).startsWith("Usage: java -jar edgeflow-cloud.jar code");
    }

    @Test
    void serveHelpNamesTheClientLimits() {
        assertThat(cli(Map.of(), "serve", "--help").out()).contains("--body-timeout").contains("--idle-timeout")
                .contains("--max-connections-per-address").contains("--max-connection-rate-per-address");
    }
}
