package io.edgeflow.cloud.cli;

import java.util.concurrent.Callable;

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

    @Override
    public Integer call() {
        spec.commandLine().usage(terminal.out);
        return Cli.USAGE;
    }
}
