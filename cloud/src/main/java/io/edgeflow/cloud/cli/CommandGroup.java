package io.edgeflow.cloud.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code code}, {@code devices}, the top): alone, it prints its help as a wrong command line. */
abstract class CommandGroup implements Callable<Integer> {
    final Terminal terminal;
    @Spec
    CommandSpec spec;

    CommandGroup(Terminal terminal) {
        this.terminal = terminal;
    }

    /**
     * What each {@code list} command prints: the admin API's answer as it is with {@code --json}, else a table of
     * the items under {@code field}, one row each.
     *
     * @param client the connection options
     * @param path the admin API's path with its query
     * @param field the answer's list ({@code devices}, {@code artifacts}, ...)
     * @param header the table's first row
     * @param row one item's row
     * @return {@link Cli#OK}
     * @throws Exception as the admin client throws it (the command line turns it into its error line)
     */
    int listed(ClientOptions client, String path, String field, String[] header, Function<JsonNode, String[]> row)
            throws Exception {
        JsonNode list = client.client(terminal.env).get(path);
        if (client.json) {
            terminal.json(list);
            return Cli.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(header);
        for (JsonNode item : list.path(field)) {
            rows.add(row.apply(item));
        }
        terminal.table(rows);
        return Cli.OK;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(terminal.out);
        return Cli.USAGE;
    }
}
