package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.protocol.TunnelProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code devices create|list|show|revoke|rotate-key|call|bundles|config}: devices (created with their credentials, or
 * registered with a code), and their local API through the tunnel.
 */
@Command(name = "devices", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Devices: create one with its credentials, list them, show one, revoke one, have one rotate its",
            "API key, call its local",
            "API through its tunnel, list its bundles, show or change its configuration."})
final class DeviceCommands extends CommandGroup {
    private static final String DEVICES = "/api/v1/admin/devices";

    DeviceCommands(Terminal terminal) {
        super(terminal);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Creates a device with its credentials (pre-provisioned: a Device ID and an API key).",
                "Prints the device's env file, with both, alone on standard output (shown only now), so",
                "... devices create > gateway.env works; the details go to standard error. The device stays",
                "pending until it first connects with them, then it is active."})
    int create(
            @Option(names = "--label", paramLabel = "TEXT", description = "a label for people (kept in the audit "
                    + "trail)") String label,
            @Option(names = "--key-ttl", paramLabel = "D", converter = Converters.DurationValue.class,
                    description = "how long the API key is valid (default: the server's key lifetime, 365d)")
            Duration keyTtl,
            @Mixin ClientOptions client) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        if (keyTtl != null) {
            body.put("api_key_ttl_seconds", keyTtl.toSeconds());
        }
        if (label != null) {
            body.put("label", label);
        }
        JsonNode created = client.client(terminal.env).post(DEVICES, body);
        if (client.json) {
            terminal.json(created);
            return Cli.OK;
        }
        terminal.out.print(created.path("env_file").asText());
        terminal.out.flush();
        terminal.err.println("Created " + created.path("device_id").asText() + " (pending until it first connects)"
                + ", API key expires " + created.path("expires_at").asText()
                + (created.path("label").isTextual() ? ", label \"" + created.path("label").asText() + "\"" : "")
                + "; the key is shown only now");
        return Cli.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists devices: status, tunnel, host name, provisioning time, key expiry.")
    int list(@Option(names = "--limit", paramLabel = "N", description = "most devices (default 100)") String limit,
            @Mixin ClientOptions client) throws Exception {
        return listed(client, DEVICES + ClientOptions.query("limit", limit), "devices",
                new String[] {"DEVICE", "STATUS", "TUNNEL", "LAST HEARTBEAT", "HOSTNAME", "PROVISIONED", "CONFIRMED",
                    "KEY EXPIRES"},
                d -> new String[] {d.path("device_id").asText(), d.path("status").asText(),
                    d.path("online").asBoolean() ? "online" : "offline", Terminal.text(d.path("last_heartbeat")),
                    Terminal.text(d.path("network").path("hostname")), Terminal.text(d.path("provisioned_at")),
                    Terminal.text(d.path("confirmed_at")), Terminal.text(d.path("key_expires_at"))});
    }

    @Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Shows one device as JSON: reported hardware and network facts, keys (masked).")
    int show(@Parameters(paramLabel = "ID", arity = "0..*", description = "the Device ID") List<String> ids,
            @Mixin ClientOptions client) throws Exception {
        String id = ClientOptions.oneId(ids, "devices show");
        terminal.json(client.client(terminal.env).get(DEVICES + "/" + id));
        return Cli.OK;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Revokes a device: its API key stops working at once, its tunnel closes.")
    int revoke(@Parameters(paramLabel = "ID", arity = "0..*", description = "the Device ID") List<String> ids,
            @Mixin ClientOptions client) throws Exception {
        String id = ClientOptions.oneId(ids, "devices revoke");
        JsonNode d = client.client(terminal.env).delete(DEVICES + "/" + id);
        if (client.json) {
            terminal.json(d);
            return Cli.OK;
        }
        terminal.out.println("Revoked " + d.path("device_id").asText() + ": its API key no longer works");
        return Cli.OK;
    }

    @Command(name = "rotate-key", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Has an online device rotate its API key (its local POST /api/v1/saas/rotate-key, through",
                "its tunnel): it asks the cloud for a new key, stores it and confirms it. The key is never shown.",
                "Exit status 1 when the device (or the cloud) answers an error."})
    int rotateKey(@Parameters(paramLabel = "ID", arity = "0..*", description = "the Device ID") List<String> ids,
            @Mixin ClientOptions client) throws Exception {
        String id = ClientOptions.oneId(ids, "devices rotate-key");
        AdminClient admin = client.client(terminal.env);
        java.util.Set<String> keysBefore = keys(admin.get(DEVICES + "/" + id));
        AdminClient.RawAnswer answer = admin.raw("POST", DEVICES + "/" + id + "/local/api/v1/saas/rotate-key",
                "{}".getBytes(StandardCharsets.UTF_8));
        if (answer.status() == 502 && answer.body().contains("device_disconnected") && !client.json) {
            // The agent reconnects its tunnel as soon as it stored its new key, which usually cuts its answer short:
            // this cloud's key records tell whether it issued one (as the dashboard does).
            for (JsonNode key : admin.get(DEVICES + "/" + id).path("keys")) {
                if (!keysBefore.contains(key.path("key").asText()) && key.path("usable").asBoolean()) {
                    terminal.out.println("Rotated the API key of " + id + ": the new key " + key.path("key").asText()
                            + " is valid until " + key.path("expires_at").asText("-") + " (the device reconnected its "
                            + "tunnel with it before it answered; its confirmation shows in the audit trail)");
                    return Cli.OK;
                }
            }
        }
        if (client.json || answer.status() >= 400) {
            return printAnswer(answer);
        }
        JsonNode rotated = Terminal.JSON.readTree(answer.body());
        terminal.out.println("Rotated the API key of " + rotated.path("device_id").asText() + ": the new key is valid "
                + "until " + rotated.path("expires_at").asText("-") + (rotated.path("confirmed").asBoolean()
                        ? "; the previous key no longer works"
                        : "; the device keeps confirming it (the previous key works until "
                                + rotated.path("previous_key_valid_until").asText("-") + ")"));
        return Cli.OK;
    }

    /** @return the masked keys of a device ({@code efk_…9f2a}), as the admin API lists them */
    private static java.util.Set<String> keys(JsonNode device) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        device.path("keys").forEach(k -> keys.add(k.path("key").asText()));
        return keys;
    }

    @Command(name = "call", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Calls the device's local API through its tunnel and prints the answer.",
                "For example: devices call dev_... GET /api/v1/device/facts",
                "METHOD is GET, POST, PUT or DELETE; PATH starts with /api/v1/.",
                "Exit status 1 when the device (or the cloud) answers an error."})
    int call(@Parameters(paramLabel = "ID METHOD PATH", arity = "0..*") List<String> words,
            @Option(names = "--data", paramLabel = "JSON", description = "the request body") String data,
            @Option(names = "--data-file", paramLabel = "FILE", description = "the request body, from a file")
            Path dataFile,
            @Mixin ClientOptions client) throws Exception {
        if (words == null || words.size() != 3) {
            throw new UsageException("devices call takes ID METHOD PATH, for example: devices call dev_... GET "
                    + "/api/v1/device/facts");
        }
        String id = ClientOptions.id(words.get(0));
        String method = words.get(1).toUpperCase(Locale.ROOT);
        if (!TunnelProtocol.METHODS.contains(method)) {
            throw new UsageException("METHOD must be GET, POST, PUT or DELETE, not '" + words.get(1) + "'");
        }
        String path = words.get(2);
        if (!path.startsWith("/api/v1/")) {
            throw new UsageException("PATH must start with /api/v1/ (the device's local API), not '" + path + "'");
        }
        if (data != null && dataFile != null) {
            throw new UsageException("give --data or --data-file, not both");
        }
        byte[] body = data != null ? data.getBytes(StandardCharsets.UTF_8)
                : dataFile != null ? Files.readAllBytes(dataFile) : null;
        AdminClient.RawAnswer answer = client.client(terminal.env).raw(method, DEVICES + "/" + id + "/local" + path,
                body);
        return printAnswer(answer);
    }

    @Command(name = "bundles", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists the bundles on a device (its local GET /api/v1/bundles, through its tunnel).")
    int bundles(@Parameters(paramLabel = "ID", arity = "0..*", description = "the Device ID") List<String> ids,
            @Mixin ClientOptions client) throws Exception {
        String id = ClientOptions.oneId(ids, "devices bundles");
        AdminClient.RawAnswer answer = client.client(terminal.env).raw("GET", DEVICES + "/" + id
                + "/local/api/v1/bundles", null);
        if (client.json || answer.status() >= 400) {
            return printAnswer(answer);
        }
        JsonNode list;
        try {
            list = Terminal.JSON.readTree(answer.body());
        } catch (IOException e) {
            return printAnswer(answer);
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "SYMBOLIC NAME", "VERSION", "STATE", "LEVEL", "EDGEFLOW", "SHA256"});
        for (JsonNode b : list.path("bundles")) {
            rows.add(new String[] {Terminal.text(b.path("id")), Terminal.text(b.path("symbolic_name")),
                Terminal.text(b.path("version")), Terminal.text(b.path("state")), Terminal.text(b.path("start_level")),
                Terminal.text(b.path("edgeflow")), Terminal.text(b.path("sha256"))});
        }
        terminal.table(rows);
        return Cli.OK;
    }

    @Command(name = "config", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Shows or changes a device's configuration through its tunnel.",
                "devices config ID               every EdgeFlow PID (GET /api/v1/config; secrets never shown)",
                "devices config ID PID           that PID",
                "devices config ID PID k=v ...   sets properties (PUT /api/v1/config/PID, checked by the device",
                "                                against the PID's metatype; an invalid value changes nothing)"})
    int config(@Parameters(paramLabel = "ID [PID [key=value ...]]", arity = "0..*") List<String> words,
            @Mixin ClientOptions client) throws Exception {
        if (words == null || words.isEmpty()) {
            throw new UsageException("devices config takes ID [PID [key=value ...]]");
        }
        String id = ClientOptions.id(words.get(0));
        String base = DEVICES + "/" + id + "/local/api/v1/config";
        if (words.size() == 1) {
            return printAnswer(client.client(terminal.env).raw("GET", base, null));
        }
        String pid = words.get(1);
        if (!pid.matches("[A-Za-z0-9_.-]{1,200}")) {
            throw new UsageException("'" + pid + "' is not a PID (letters, digits, '.', '_' and '-')");
        }
        if (words.size() == 2) {
            AdminClient.RawAnswer answer = client.client(terminal.env).raw("GET", base, null);
            if (answer.status() >= 400) {
                return printAnswer(answer);
            }
            JsonNode one = findPid(answer.body(), pid);
            if (one == null) {
                terminal.err.println("error: no PID " + pid + " on " + id);
                return Cli.REFUSED;
            }
            terminal.json(one);
            return Cli.OK;
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = Terminal.JSON.createObjectNode();
        for (String pair : words.subList(2, words.size())) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("properties are written key=value, not '" + pair + "'");
            }
            body.set(pair.substring(0, eq), value(pair.substring(eq + 1)));
        }
        return printAnswer(client.client(terminal.env).raw("PUT", base + "/" + pid,
                Terminal.JSON.writeValueAsBytes(body)));
    }

    /** A property's value: a JSON number, boolean or list if it reads as one, else the text. */
    static JsonNode value(String text) {
        if (text.matches("-?[0-9]{1,18}(\\.[0-9]+)?|true|false|\\[.*\\]")) {
            try {
                return Terminal.JSON.readTree(text);
            } catch (IOException e) {
                // a text after all
            }
        }
        return Terminal.JSON.getNodeFactory().textNode(text);
    }

    /** The entry of a PID in the device's GET /api/v1/config answer (a list or a map of PIDs). */
    private static JsonNode findPid(String body, String pid) {
        JsonNode all;
        try {
            all = Terminal.JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
        for (JsonNode list : List.of(all.path("configurations"), all.path("config"), all.path("pids"), all)) {
            if (list.isArray()) {
                for (JsonNode c : list) {
                    if (pid.equals(c.path("pid").asText(null))) {
                        return c;
                    }
                }
            } else if (list.isObject() && list.has(pid)) {
                return list.get(pid);
            }
        }
        return null;
    }

    /** The device's answer as it came; an error's code on standard error, and exit status 1. */
    private int printAnswer(AdminClient.RawAnswer answer) {
        String text = answer.body();
        terminal.out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        if (answer.status() < 400) {
            return Cli.OK;
        }
        String code = "http_" + answer.status();
        try {
            code = Terminal.JSON.readTree(text).path("error").asText(code);
        } catch (IOException e) {
            // not JSON: the status says enough
        }
        terminal.err.println("error: " + code + " (HTTP " + answer.status() + ")");
        return Cli.REFUSED;
    }
}
