package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.edgeflow.cloud.Durations;
import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ConnectionLimits;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.tls.LocalCertificateAuthority;
import io.edgeflow.cloud.tunnel.TunnelProtocol;
import io.edgeflow.cloud.tunnel.TunnelSettings;

/**
 * The {@code edgeflow-cloud} command line: {@code serve}, and the admin commands that talk to a running
 * server ({@code code create|list|revoke}, {@code devices list|show|revoke}, {@code audit}).
 * <p>
 * Prints no secret except the one output meant for it: the code {@code code create} made.
 */
public final class Cli {
    /** Exit status: done. */
    public static final int OK = 0;
    /** Exit status: the server refused. */
    public static final int REFUSED = 1;
    /** Exit status: wrong command line. */
    public static final int USAGE = 2;
    /** Exit status: the server could not be reached, or a file could not be read. */
    public static final int UNREACHABLE = 3;

    /** Default data directory, relative to the working directory. */
    public static final String DEFAULT_DATA_DIR = "data/cloud";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final Set<String> CLIENT_OPTIONS = Set.of("--url", "--data-dir", "--token-file", "--ca-file");
    private static final Set<String> CLIENT_FLAGS = Set.of("--json");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param env the environment ({@code EDGEFLOW_ADMIN_TOKEN}, {@code EDGEFLOW_CLOUD_URL},
     *        {@code EDGEFLOW_CLOUD_DATA_DIR})
     * @param out standard output
     * @param err standard error
     */
    public Cli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    private static final String MAIN_HELP = String.join("\n",
            "Usage: java -jar edgeflow-cloud.jar <command> [options]",
            "",
            "The EdgeFlow reference cloud: provisioning codes, device registration, API keys.",
            "",
            "Commands:",
            "  serve                  run the server (HTTPS, default https://127.0.0.1:8443)",
            "  code create            create a provisioning code and print it",
            "  code list              list provisioning codes (masked) and their states",
            "  code revoke ID         revoke a provisioning code",
            "  devices list           list registered devices",
            "  devices show ID        show one device with its facts and keys",
"  devices revoke ID      revoke a device: its key stops working at once",
            "  devices call ID METHOD PATH   call the device's local API through its tunnel",
            "  audit                  show the audit trail, newest first",
            "",
            "Run any command with --help for its options.",
            "");

    private static final String CLIENT_HELP = String.join("\n",
            "Connection options (every command but serve):",
            "  --url URL              the server (default $EDGEFLOW_CLOUD_URL, else https://127.0.0.1:8443)",
            "  --data-dir DIR         the server's data directory, where the default token and CA files are",
            "                         (default $EDGEFLOW_CLOUD_DATA_DIR, else ./" + DEFAULT_DATA_DIR + ")",
            "  --token-file FILE      file holding the admin token; without it $EDGEFLOW_ADMIN_TOKEN, else",
            "                         <data-dir>/admin-token",
            "  --ca-file FILE         CA certificate to trust (default <data-dir>/ca.pem if present, else the",
            "                         JDK's trusted CAs)",
            "  --json                 print the server's JSON answer as it is",
            "  -h, --help             this help",
            "");

    /**
     * Runs one command.
     *
     * @param args the command line
     * @return the exit status
     */
    public int run(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            out.print(MAIN_HELP);
            return args.isEmpty() ? USAGE : OK;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            switch (command) {
                case "serve":
                    return serve(rest);
                case "code":
                    return code(rest);
                case "devices":
                    return devices(rest);
                case "audit":
                    return audit(rest);
                case "version":
                case "--version":
                    out.println("edgeflow-cloud " + version());
                    return OK;
                default:
                    err.println("edgeflow-cloud: unknown command '" + command + "'");
                    err.print(MAIN_HELP);
                    return USAGE;
            }
        } catch (Args.UsageException e) {
            err.println("edgeflow-cloud " + command + ": " + e.getMessage() + " (see --help)");
            return USAGE;
        } catch (AdminClient.ServerError e) {
            err.println("error: " + e.code + " (HTTP " + e.status + "): " + e.getMessage());
            return REFUSED;
        } catch (AdminClient.ConnectionError | IOException e) {
            err.println("error: " + e.getMessage());
            return UNREACHABLE;
        } catch (IllegalArgumentException e) {
            err.println("edgeflow-cloud " + command + ": " + e.getMessage());
            return USAGE;
        } catch (Exception e) {
            err.println("error: " + e);
            return UNREACHABLE;
        }
    }

    static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    // ------------------------------------------------------------------ serve

    private static final String SERVE_HELP = String.join("\n",
            "Usage: java -jar edgeflow-cloud.jar serve [options]",
            "",
            "Runs the reference cloud over HTTPS (TLS 1.2 and 1.3 only). On first start it creates, in the data",
            "directory, a local CA (ca.pem) with a server certificate for localhost/127.0.0.1/::1, and an admin",
            "token handed over in the 0600 file admin-token. Stop it with Ctrl-C (SIGTERM).",
            "",
            "Options:",
            "  --port N                    port to listen on (default 8443; 0 picks a free one)",
            "  --bind ADDRESS              address to listen on (default 127.0.0.1)",
            "  --data-dir DIR              data directory (default $EDGEFLOW_CLOUD_DATA_DIR, else ./" + DEFAULT_DATA_DIR + ")",
            "  --cert FILE --key FILE      use this PEM certificate chain and unencrypted PEM key instead of the",
            "                              local CA's",
            "  --default-code-ttl D        TTL of codes created without ttl_seconds (default 24h)",
            "  --max-code-ttl D            longest TTL a code may get (default 30d)",
            "  --claim-grace D             how long an unconfirmed registration holds its code (default 10m)",
            "  --key-lifetime D            API key lifetime (default 365d)",
            "  --rotation-overlap D        how long the previous key works after a rotation (default 24h)",
            "  --max-failed-attempts N     failed code attempts allowed per address and window (default 10)",
            "  --failed-attempt-window D   the window they are counted in (default 1m)",
            "  --lockout D                 how long an address over the limit is refused (default 15m)",
            "  --new-admin-token           revoke every admin token and hand over a new one in admin-token",
            "  --tunnel-idle-timeout D     close a device tunnel silent for this long (default 90s; agents send",
            "                              heartbeats every 30s by default)",
            "  --tunnel-request-timeout D  how long a request forwarded to a device may take (default 30s)",
            "  --tunnel-max-body N         largest body forwarded through a tunnel, in bytes (default 1048576)",
            "  --body-timeout D            a request body must arrive whole within this (default 10s), else 408",
            "  --idle-timeout D            close an HTTP connection silent for this long, or without its first",
            "                              request head after this long (default 30s)",
            "  --max-connections-per-address N",
            "                              open HTTP connections per source address, tunnels not counted",
            "                              (default 256; 0: no limit)",
            "  --max-connection-rate-per-address N",
            "                              new connections per second per source address, bursts of twice",
            "                              as many (default 100; 0: no limit)",
            "  -h, --help                  this help",
            "",
            "Durations: 90s, 10m, 24h, 30d, 1h30m, or plain seconds.",
            "");

    private int serve(List<String> rest) throws Exception {
        Args a = Args.parse(rest, Set.of("--port", "--bind", "--data-dir", "--cert", "--key", "--default-code-ttl",
                "--max-code-ttl", "--claim-grace", "--key-lifetime", "--rotation-overlap", "--max-failed-attempts",
                "--failed-attempt-window", "--lockout", "--tunnel-idle-timeout", "--tunnel-request-timeout",
                "--tunnel-max-body", "--body-timeout", "--idle-timeout", "--max-connections-per-address",
                "--max-connection-rate-per-address"), Set.of("--new-admin-token"));
        if (a.flag("--help")) {
            out.print(SERVE_HELP);
            return OK;
        }
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        CloudSettings d = CloudSettings.DEFAULTS;
        CloudSettings settings = new CloudSettings(
                duration(a, "--default-code-ttl", d.defaultCodeTtl()),
                duration(a, "--max-code-ttl", d.maxCodeTtl()),
                duration(a, "--claim-grace", d.claimGrace()),
                duration(a, "--key-lifetime", d.keyLifetime()),
                duration(a, "--rotation-overlap", d.rotationOverlap()),
                integer(a, "--max-failed-attempts", d.maxFailedAttempts()),
                duration(a, "--failed-attempt-window", d.failedWindow()),
                duration(a, "--lockout", d.lockout()));
        ServerConfig config = new ServerConfig(a.get("--bind", ServerConfig.DEFAULT_BIND),
                integer(a, "--port", ServerConfig.DEFAULT_PORT), dataDir(a),
                a.get("--cert") == null ? null : Path.of(a.get("--cert")),
                a.get("--key") == null ? null : Path.of(a.get("--key")), settings, a.flag("--new-admin-token"),
                new TunnelSettings(duration(a, "--tunnel-idle-timeout", TunnelSettings.DEFAULTS.idleTimeout()),
                        duration(a, "--tunnel-request-timeout", TunnelSettings.DEFAULTS.requestTimeout()),
                        integer(a, "--tunnel-max-body", TunnelSettings.DEFAULTS.maxBodyBytes()),
                        TunnelSettings.DEFAULTS.maxPendingPerTunnel()),
                new ConnectionLimits(duration(a, "--body-timeout", ConnectionLimits.DEFAULTS.bodyTimeout()),
                        duration(a, "--idle-timeout", ConnectionLimits.DEFAULTS.idleTimeout()),
                        integer(a, "--max-connections-per-address", ConnectionLimits.DEFAULTS.maxConnectionsPerAddress()),
                        integer(a, "--max-connection-rate-per-address",
                                ConnectionLimits.DEFAULTS.maxConnectionsPerSecondPerAddress())));

        out.println("EdgeFlow cloud " + version());
        out.println("Data directory: " + config.dataDir().toAbsolutePath().normalize());
        CloudServer server;
        try {
            server = CloudServer.start(config, Clock.systemUTC(), out);
        } catch (java.io.IOException e) {
            if (e.getCause() instanceof java.net.BindException || e instanceof java.net.BindException) {
                err.println("error: cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage()
                        + " (is another server running? choose another --port)");
                return UNREACHABLE;
            }
            throw e;
        }
        out.println("Settings: codes " + Durations.format(settings.defaultCodeTtl()) + " (max "
                + Durations.format(settings.maxCodeTtl()) + "), claim grace " + Durations.format(settings.claimGrace())
                + ", keys " + Durations.format(settings.keyLifetime()) + " (rotation overlap "
                + Durations.format(settings.rotationOverlap()) + "), " + settings.maxFailedAttempts()
                + " failed codes per " + Durations.format(settings.failedWindow()) + " then "
                + Durations.format(settings.lockout()) + " lockout");
        out.println("Device tunnel: wss://" + server.url().substring("https://".length()) + TunnelProtocol.PATH
                + " (idle timeout " + Durations.format(config.tunnel().idleTimeout()) + ", requests "
                + Durations.format(config.tunnel().requestTimeout()) + ", bodies up to "
                + config.tunnel().maxBodyBytes() + " bytes)");
        out.println("Clients: " + config.limits().describe());
        out.println("Listening on " + server.url());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            out.println("EdgeFlow cloud stopped; every answered request is in " + server.dataDir());
            out.flush();
            stopped.countDown();
        }, "cloud-shutdown"));
        stopped.await();
        return OK;
    }

    private static Duration duration(Args a, String option, Duration fallback) {
        String v = a.get(option);
        return v == null ? fallback : Durations.parse(v, option);
    }

    private static int integer(Args a, String option, int fallback) {
        String v = a.get(option);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + v + "' is not a whole number");
        }
    }

    private Path dataDir(Args a) {
        String dir = a.get("--data-dir");
        if (dir == null) {
            dir = env.getOrDefault("EDGEFLOW_CLOUD_DATA_DIR", DEFAULT_DATA_DIR);
        }
        return Path.of(dir);
    }

    // ------------------------------------------------------------------ client commands

    private AdminClient client(Args a) throws Exception {
        Path dataDir = dataDir(a);
        String token;
        if (a.get("--token-file") != null) {
            token = AdminClient.readToken(Path.of(a.get("--token-file")));
        } else if (env.get("EDGEFLOW_ADMIN_TOKEN") != null && !env.get("EDGEFLOW_ADMIN_TOKEN").isBlank()) {
            token = env.get("EDGEFLOW_ADMIN_TOKEN").trim();
        } else {
            token = AdminClient.readToken(dataDir.resolve(AdminTokens.FILE_NAME));
        }
        Path ca = null;
        if (a.get("--ca-file") != null) {
            ca = Path.of(a.get("--ca-file"));
            if (!Files.isRegularFile(ca)) {
                throw new IOException("--ca-file " + ca + " does not exist");
            }
        } else if (Files.isRegularFile(dataDir.resolve(LocalCertificateAuthority.CA_CERT))) {
            ca = dataDir.resolve(LocalCertificateAuthority.CA_CERT);
        }
        String url = a.get("--url", env.getOrDefault("EDGEFLOW_CLOUD_URL",
                "https://127.0.0.1:" + ServerConfig.DEFAULT_PORT));
        return new AdminClient(url, ca, token);
    }

    private static Args clientArgs(List<String> rest, Set<String> moreOptions) throws Args.UsageException {
        Set<String> options = new java.util.HashSet<>(CLIENT_OPTIONS);
        options.addAll(moreOptions);
        return Args.parse(rest, options, CLIENT_FLAGS);
    }

    private static final String CODE_HELP = String.join("\n",
            "Usage: java -jar edgeflow-cloud.jar code <create|list|revoke> [options]",
            "",
            "  code create [--ttl D] [--label TEXT]   create a code; prints it alone on standard output",
            "                                          (details on standard error), so CODE=$(... code create)",
            "                                          works. --ttl defaults to the server's default (24h).",
            "  code list [--state S] [--limit N]       list codes, masked (PROV-****-C3D4), with their state:",
            "                                          active, claimed, consumed, expired, revoked",
            "  code revoke ID                          revoke a code (ID as shown by code list, pc_...)",
            "",
            CLIENT_HELP);

    private int code(List<String> rest) throws Exception {
        String sub = rest.isEmpty() ? "--help" : rest.get(0);
        List<String> more = rest.isEmpty() ? List.of() : rest.subList(1, rest.size());
        switch (sub) {
            case "create": {
                Args a = clientArgs(more, Set.of("--ttl", "--label"));
                if (a.flag("--help")) {
                    out.print(CODE_HELP);
                    return OK;
                }
                noPositional(a);
                Map<String, Object> body = new LinkedHashMap<>();
                if (a.get("--ttl") != null) {
                    body.put("ttl_seconds", Durations.parse(a.get("--ttl"), "--ttl").toSeconds());
                }
                if (a.get("--label") != null) {
                    body.put("label", a.get("--label"));
                }
                JsonNode created = client(a).post("/api/v1/admin/provisioning-codes", body);
                if (a.flag("--json")) {
                    out.println(JSON.writeValueAsString(created));
                    return OK;
                }
                out.println(created.path("code").asText());
                err.println("id " + created.path("id").asText() + ", expires " + created.path("expires_at").asText()
                        + (created.path("label").isTextual() ? ", label \"" + created.path("label").asText() + "\"" : "")
                        + "; single-use, shown only now");
                return OK;
            }
            case "list": {
                Args a = clientArgs(more, Set.of("--state", "--limit"));
                if (a.flag("--help")) {
                    out.print(CODE_HELP);
                    return OK;
                }
                noPositional(a);
                String query = query("state", a.get("--state"), "limit", a.get("--limit"));
                JsonNode list = client(a).get("/api/v1/admin/provisioning-codes" + query);
                if (a.flag("--json")) {
                    out.println(JSON.writeValueAsString(list));
                    return OK;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "CODE", "STATE", "EXPIRES", "DEVICE", "LABEL"});
                for (JsonNode c : list.path("provisioning_codes")) {
                    rows.add(new String[] {c.path("id").asText(), c.path("code").asText(), c.path("state").asText(),
                        c.path("expires_at").asText(), text(c.path("device_id")), text(c.path("label"))});
                }
                table(rows);
                return OK;
            }
            case "revoke": {
                Args a = clientArgs(more, Set.of());
                if (a.flag("--help")) {
                    out.print(CODE_HELP);
                    return OK;
                }
                String id = oneId(a, "code revoke");
                JsonNode code = client(a).delete("/api/v1/admin/provisioning-codes/" + id);
                if (a.flag("--json")) {
                    out.println(JSON.writeValueAsString(code));
                    return OK;
                }
                out.println("Revoked " + code.path("id").asText() + " (" + code.path("code").asText() + ")");
                return OK;
            }
            case "--help":
                out.print(CODE_HELP);
                return rest.isEmpty() ? USAGE : OK;
            default:
                throw new Args.UsageException("unknown subcommand '" + sub + "'; use create, list or revoke");
        }
    }

    private static final String DEVICES_HELP = String.join("\n",
            "Usage: java -jar edgeflow-cloud.jar devices <list|show|revoke> [options]",
            "",
            "  devices list [--limit N]      list devices: status, host name, provisioning time, key expiry",
            "  devices show ID               one device as JSON: reported hardware and network facts, keys (masked)",
            "  devices revoke ID             revoke a device; its API key stops working at once, its tunnel closes",
            "  devices call ID METHOD PATH [--data JSON | --data-file FILE]",
            "                                call the device's local API through its tunnel and print the answer,",
            "                                for example: devices call dev_... GET /api/v1/device/facts",
            "                                METHOD is GET, POST, PUT or DELETE; PATH starts with /api/v1/.",
            "                                Exit status 1 when the device (or the cloud) answers an error.",
            "",
            CLIENT_HELP);

    private int devices(List<String> rest) throws Exception {
        String sub = rest.isEmpty() ? "--help" : rest.get(0);
        List<String> more = rest.isEmpty() ? List.of() : rest.subList(1, rest.size());
        switch (sub) {
            case "list": {
                Args a = clientArgs(more, Set.of("--limit"));
                if (a.flag("--help")) {
                    out.print(DEVICES_HELP);
                    return OK;
                }
                noPositional(a);
                JsonNode list = client(a).get("/api/v1/admin/devices" + query("limit", a.get("--limit")));
                if (a.flag("--json")) {
                    out.println(JSON.writeValueAsString(list));
                    return OK;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"DEVICE", "STATUS", "TUNNEL", "LAST HEARTBEAT", "HOSTNAME", "PROVISIONED",
                    "CONFIRMED", "KEY EXPIRES"});
                for (JsonNode d : list.path("devices")) {
                    rows.add(new String[] {d.path("device_id").asText(), d.path("status").asText(),
                        d.path("online").asBoolean() ? "online" : "offline", text(d.path("last_heartbeat")),
                        text(d.path("network").path("hostname")), text(d.path("provisioned_at")),
                        text(d.path("confirmed_at")), text(d.path("key_expires_at"))});
                }
                table(rows);
                return OK;
            }
            case "show": {
                Args a = clientArgs(more, Set.of());
                if (a.flag("--help")) {
                    out.print(DEVICES_HELP);
                    return OK;
                }
                String id = oneId(a, "devices show");
                out.println(JSON.writeValueAsString(client(a).get("/api/v1/admin/devices/" + id)));
                return OK;
            }
            case "revoke": {
                Args a = clientArgs(more, Set.of());
                if (a.flag("--help")) {
                    out.print(DEVICES_HELP);
                    return OK;
                }
                String id = oneId(a, "devices revoke");
                JsonNode d = client(a).delete("/api/v1/admin/devices/" + id);
                if (a.flag("--json")) {
                    out.println(JSON.writeValueAsString(d));
                    return OK;
                }
                out.println("Revoked " + d.path("device_id").asText() + ": its API key no longer works");
                return OK;
            }
            case "call":
                return call(more);
            case "--help":
                out.print(DEVICES_HELP);
                return rest.isEmpty() ? USAGE : OK;
            default:
                throw new Args.UsageException("unknown subcommand '" + sub + "'; use list, show, revoke or call");
        }
    }

    private int call(List<String> more) throws Exception {
        Args a = clientArgs(more, Set.of("--data", "--data-file"));
        if (a.flag("--help")) {
            out.print(DEVICES_HELP);
            return OK;
        }
        if (a.positional().size() != 3) {
            throw new Args.UsageException("devices call takes ID METHOD PATH, for example: devices call dev_... GET "
                    + "/api/v1/device/facts");
        }
        String id = a.positional().get(0);
        if (!id.matches("[A-Za-z0-9_]{1,64}")) {
            throw new Args.UsageException("'" + id + "' is not an ID (letters, digits and _ only)");
        }
        String method = a.positional().get(1).toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("GET", "POST", "PUT", "DELETE").contains(method)) {
            throw new Args.UsageException("METHOD must be GET, POST, PUT or DELETE, not '" + a.positional().get(1) + "'");
        }
        String path = a.positional().get(2);
        if (!path.startsWith("/api/v1/")) {
            throw new Args.UsageException("PATH must start with /api/v1/ (the device's local API), not '" + path + "'");
        }
        if (a.get("--data") != null && a.get("--data-file") != null) {
            throw new Args.UsageException("give --data or --data-file, not both");
        }
        byte[] body = null;
        if (a.get("--data") != null) {
            body = a.get("--data").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else if (a.get("--data-file") != null) {
            body = Files.readAllBytes(Path.of(a.get("--data-file")));
        }
        AdminClient.RawAnswer answer = client(a).raw(method, "/api/v1/admin/devices/" + id + "/local" + path, body);
        String text = answer.body();
        out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        if (answer.status() >= 400) {
            String code = "http_" + answer.status();
            try {
                JsonNode error = JSON.readTree(text);
                code = error.path("error").asText(code);
            } catch (IOException e) {
                // not JSON: the status says enough
            }
            err.println("error: " + code + " (HTTP " + answer.status() + ")");
            return REFUSED;
        }
        return OK;
    }

    private static final String AUDIT_HELP = String.join("\n",
            "Usage: java -jar edgeflow-cloud.jar audit [--limit N] [--before ID]",
            "",
            "Shows the audit trail, newest first: codes created and revoked, every registration attempt (source",
            "address, masked code, result), confirmations, key rotations, device revocations.",
            "",
            CLIENT_HELP);

    private int audit(List<String> rest) throws Exception {
        Args a = clientArgs(rest, Set.of("--limit", "--before"));
        if (a.flag("--help")) {
            out.print(AUDIT_HELP);
            return OK;
        }
        noPositional(a);
        JsonNode list = client(a).get("/api/v1/admin/audit" + query("limit", a.get("--limit"), "before",
                a.get("--before")));
        if (a.flag("--json")) {
            out.println(JSON.writeValueAsString(list));
            return OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "AT", "EVENT", "RESULT", "SOURCE", "CODE", "DEVICE", "DETAIL"});
        for (JsonNode e : list.path("events")) {
            rows.add(new String[] {e.path("id").asText(), e.path("at").asText(), e.path("event").asText(),
                e.path("result").asText(), text(e.path("source_address")), text(e.path("code")),
                text(e.path("device_id")), text(e.path("detail"))});
        }
        table(rows);
        return OK;
    }

    // ------------------------------------------------------------------ helpers

    private static void noPositional(Args a) throws Args.UsageException {
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
    }

    private static String oneId(Args a, String command) throws Args.UsageException {
        if (a.positional().size() != 1) {
            throw new Args.UsageException(command + " takes exactly one ID");
        }
        String id = a.positional().get(0);
        if (!id.matches("[A-Za-z0-9_]{1,64}")) {
            throw new Args.UsageException("'" + id + "' is not an ID (letters, digits and _ only)");
        }
        return id;
    }

    private static String query(String... pairs) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.append(q.length() == 0 ? '?' : '&').append(pairs[i]).append('=')
                        .append(java.net.URLEncoder.encode(pairs[i + 1], java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "-" : node.asText();
    }

    private void table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + width[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        if (rows.size() == 1) {
            out.println("(none)");
        }
    }
}
