package io.edgeflow.cloud.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deployments create|show|list|cancel}: rollouts of artifacts to devices, in waves. */
@Command(name = "deployments", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remote updates: roll artifacts out to devices in waves, follow them, cancel them.")
final class DeploymentCommands extends CommandGroup {
    private static final String DEPLOYMENTS = "/api/v1/admin/deployments";

    DeploymentCommands(Terminal terminal) {
        super(terminal);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Creates a deployment and starts its first wave; prints its id.",
                "For example: deployments create --artifact 3f2a... --all --waves 1,10%%,100%% --max-failures 0"})
    int create(@Option(names = "--artifact", paramLabel = "SHA256",
            description = "install or update this artifact (repeatable)") List<String> artifacts,
            @Option(names = "--uninstall", paramLabel = "BSN", description = "uninstall this bundle (repeatable)")
            List<String> uninstall,
            @Option(names = "--install", description = "the artifacts are new bundles (action install, not update)")
            boolean install,
            @Option(names = "--devices", paramLabel = "ID,...", split = ",", description = "the target devices")
            List<String> devices,
            @Option(names = "--all", description = "every active device") boolean all,
            @Option(names = "--waves", paramLabel = "W,...", split = ",",
                    description = "cumulative wave sizes: devices (1) or percentages (10%%); default 100%%")
            List<String> waves,
            @Option(names = "--max-failures", paramLabel = "N", converter = Converters.WholeNumber.class,
                    description = "failures a wave may have before the rollout halts (default 0)") Integer maxFailures,
            @Option(names = "--health-timeout", paramLabel = "SECONDS", converter = Converters.WholeNumber.class,
                    description = "the device's health check deadline (default 60)") Integer healthTimeout,
            @Mixin ClientOptions client) throws Exception {
        List<Map<String, Object>> operations = new ArrayList<>();
        for (String sha : artifacts == null ? List.<String>of() : artifacts) {
            if (!sha.matches("[0-9a-f]{64}")) {
                throw new UsageException("--artifact takes a SHA-256 (64 lower-case hex digits), not '" + sha + "'");
            }
            operations.add(Map.of("action", install ? "install" : "update", "artifact", sha));
        }
        for (String bsn : uninstall == null ? List.<String>of() : uninstall) {
            operations.add(Map.of("action", "uninstall", "symbolic_name", bsn));
        }
        if (operations.isEmpty()) {
            throw new UsageException("give at least one --artifact SHA256 or --uninstall BSN");
        }
        if (all == (devices != null && !devices.isEmpty())) {
            throw new UsageException("give --devices ID,... or --all (one of them)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operations", operations);
        if (all) {
            body.put("devices", "all");
        } else {
            List<String> ids = new ArrayList<>();
            for (String d : devices) {
                ids.add(ClientOptions.id(d.trim()));
            }
            body.put("devices", ids);
        }
        if (waves != null) {
            List<Object> w = new ArrayList<>();
            for (String s : waves) {
                String t = s.trim();
                if (t.matches("[0-9]{1,9}")) {
                    w.add(Integer.parseInt(t));
                } else if (t.matches("[0-9]{1,3}%")) {
                    w.add(t);
                } else {
                    throw new UsageException("--waves takes numbers of devices and percentages, such as 1,10%,100%;"
                            + " not '" + s + "'");
                }
            }
            body.put("waves", w);
        }
        if (maxFailures != null) {
            body.put("max_failures", maxFailures);
        }
        if (healthTimeout != null) {
            body.put("health_timeout_seconds", healthTimeout);
        }
        JsonNode d = client.client(terminal.env).post(DEPLOYMENTS, body);
        if (client.json) {
            terminal.json(d);
            return Cli.OK;
        }
        terminal.out.println(d.path("id").asText());
        terminal.err.println("Deployment " + d.path("id").asText() + ": " + d.path("devices").size() + " device(s), "
                + "waves " + d.path("waves") + "; follow it with: deployments show " + d.path("id").asText());
        return Cli.OK;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Shows a deployment: its state, its operations, and each device's state and reason.")
    int show(@Parameters(paramLabel = "ID", arity = "0..*") List<String> ids, @Mixin ClientOptions client)
            throws Exception {
        String id = ClientOptions.oneId(ids, "deployments show");
        JsonNode d = client.client(terminal.env).get(DEPLOYMENTS + "/" + id);
        if (client.json) {
            terminal.json(d);
            return Cli.OK;
        }
        terminal.out.println("Deployment " + d.path("id").asText() + ": " + d.path("state").asText() + " (wave "
                + d.path("current_wave").asText() + " of waves " + d.path("waves") + ", max_failures "
                + d.path("max_failures").asText() + ")");
        for (JsonNode op : d.path("operations")) {
            terminal.out.println("  " + op.path("action").asText() + " "
                    + (op.has("artifact") ? op.path("artifact").asText() : op.path("symbolic_name").asText()));
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"DEVICE", "WAVE", "STATE", "UPDATED", "REASON"});
        for (JsonNode t : d.path("devices")) {
            rows.add(new String[] {t.path("device_id").asText(), t.path("wave").asText(), t.path("state").asText(),
                Terminal.text(t.path("updated_at")), Terminal.text(t.path("reason"))});
        }
        terminal.table(rows);
        return Cli.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists deployments, newest first, with their devices counted by state.")
    int list(@Option(names = "--limit", paramLabel = "N", description = "most deployments (default 100)") String limit,
            @Mixin ClientOptions client) throws Exception {
        return listed(client, DEPLOYMENTS + ClientOptions.query("limit", limit), "deployments",
                new String[] {"ID", "STATE", "CREATED", "WAVE", "DEVICES"}, d -> {
                    List<String> counts = new ArrayList<>();
                    d.path("summary").fields()
                            .forEachRemaining(e -> counts.add(e.getKey() + " " + e.getValue().asText()));
                    return new String[] {d.path("id").asText(), d.path("state").asText(),
                        Terminal.text(d.path("created_at")), d.path("current_wave").asText(),
                        String.join(", ", counts)};
                });
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Cancels a rollout: devices still pending never get it; a device already applying finishes.")
    int cancel(@Parameters(paramLabel = "ID", arity = "0..*") List<String> ids, @Mixin ClientOptions client)
            throws Exception {
        String id = ClientOptions.oneId(ids, "deployments cancel");
        JsonNode d = client.client(terminal.env).post(DEPLOYMENTS + "/" + id + "/cancel", Map.of());
        if (client.json) {
            terminal.json(d);
            return Cli.OK;
        }
        terminal.out.println("Cancelled " + d.path("id").asText() + ": " + d.path("summary"));
        return Cli.OK;
    }
}
