package io.edgeflow.cloud.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code audit}: the audit trail, newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows the audit trail, newest first.",
            "Codes created and revoked, every registration attempt (source address, masked code, result),",
            "confirmations, key rotations, device revocations."})
final class AuditCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--limit", paramLabel = "N", description = "most events (default 100)")
    String limit;

    @Option(names = "--before", paramLabel = "ID", description = "only events older than this event ID")
    String before;

    @Mixin
    ClientOptions client;

    AuditCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        JsonNode list = client.client(terminal.env).get("/api/v1/admin/audit"
                + ClientOptions.query("limit", limit, "before", before));
        if (client.json) {
            terminal.json(list);
            return Cli.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "AT", "EVENT", "RESULT", "SOURCE", "CODE", "DEVICE", "DETAIL"});
        for (JsonNode e : list.path("events")) {
            rows.add(new String[] {e.path("id").asText(), e.path("at").asText(), e.path("event").asText(),
                e.path("result").asText(), Terminal.text(e.path("source_address")), Terminal.text(e.path("code")),
                Terminal.text(e.path("device_id")), Terminal.text(e.path("detail"))});
        }
        terminal.table(rows);
        return Cli.OK;
    }
}
