package io.edgeflow.cloud.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code code create|list|revoke}: provisioning codes, through the admin API. */
@Command(name = "code", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Provisioning codes: create one (printed once, alone on standard output), list them masked, "
                + "revoke one.")
final class CodeCommands extends CommandGroup {
    private static final String CODES = "/api/v1/admin/provisioning-codes";

    CodeCommands(Terminal terminal) {
        super(terminal);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Creates a code and prints it alone on standard output.",
                "The details go to standard error, so CODE=$(... code create) works."})
    int create(
            @Option(names = "--ttl", paramLabel = "D", converter = Converters.DurationValue.class,
                    description = "how long the code is valid (default: the server's default, 24h)") Duration ttl,
            @Option(names = "--label", paramLabel = "TEXT", description = "a label for people") String label,
            @Mixin ClientOptions client) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        if (ttl != null) {
            body.put("ttl_seconds", ttl.toSeconds());
        }
        if (label != null) {
            body.put("label", label);
        }
        JsonNode created = client.client(terminal.env).post(CODES, body);
        if (client.json) {
            terminal.json(created);
            return Cli.OK;
        }
        terminal.out.println(created.path("code").asText());
        terminal.err.println("id " + created.path("id").asText() + ", expires " + created.path("expires_at").asText()
                + (created.path("label").isTextual() ? ", label \"" + created.path("label").asText() + "\"" : "")
                + "; single-use, shown only now");
        return Cli.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists codes, masked (PROV-****-C3D4), with their state: active, claimed, consumed, "
                    + "expired, revoked.")
    int list(@Option(names = "--state", paramLabel = "S", description = "only codes in this state") String state,
            @Option(names = "--limit", paramLabel = "N", description = "most codes (default 100)") String limit,
            @Mixin ClientOptions client) throws Exception {
        return listed(client, CODES + ClientOptions.query("state", state, "limit", limit), "provisioning_codes",
                new String[] {"ID", "CODE", "STATE", "EXPIRES", "DEVICE", "LABEL"},
                c -> new String[] {c.path("id").asText(), c.path("code").asText(), c.path("state").asText(),
                    c.path("expires_at").asText(), Terminal.text(c.path("device_id")), Terminal.text(c.path("label"))});
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Revokes a code (ID as shown by code list, pc_...).")
    int revoke(@Parameters(paramLabel = "ID", arity = "0..*", description = "the code's ID") List<String> ids,
            @Mixin ClientOptions client) throws Exception {
        String id = ClientOptions.oneId(ids, "code revoke");
        JsonNode code = client.client(terminal.env).delete(CODES + "/" + id);
        if (client.json) {
            terminal.json(code);
            return Cli.OK;
        }
        terminal.out.println("Revoked " + code.path("id").asText() + " (" + code.path("code").asText() + ")");
        return Cli.OK;
    }
}
