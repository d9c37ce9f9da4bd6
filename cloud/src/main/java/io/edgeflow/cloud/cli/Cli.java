package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The {@code edgeflow-cloud} command line, parsed by picocli: {@code serve} ({@link ServeCommand}), and
 * the admin commands that talk to a running server ({@link CodeCommands}, {@link DeviceCommands},
 * {@link AuditCommand}). This class builds the command tree and turns every outcome into an exit status
 * and, for a mistake, one line on standard error that names it.
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

    private final Terminal terminal;

    /**
     * @param env the environment ({@code EDGEFLOW_ADMIN_TOKEN}, {@code EDGEFLOW_CLOUD_URL},
     *        {@code EDGEFLOW_CLOUD_DATA_DIR})
     * @param out standard output
     * @param err standard error
     */
    public Cli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.terminal = new Terminal(env, out, err);
    }

    /** The top of the command tree: alone, it prints its help as a wrong command line. */
    @Command(name = "java -jar edgeflow-cloud.jar", mixinStandardHelpOptions = true,
            versionProvider = Version.class, synopsisSubcommandLabel = "<command>",
            description = {"The EdgeFlow reference cloud: provisioning codes, device registration, API keys,",
                "remote bundle updates.", "",
                "Commands:",
                "  serve                  run the server (HTTPS, default https://127.0.0.1:8443)",
                "  code create            create a provisioning code and print it",
                "  code list              list provisioning codes (masked) and their states",
                "  code revoke ID         revoke a provisioning code",
                "  devices list           list registered devices",
                "  devices show ID        show one device with its facts and keys",
                "  devices revoke ID      revoke a device: its key stops working at once",
                "  devices call ID METHOD PATH   call the device's local API through its tunnel",
                "  devices bundles ID     list the bundles on a device (through its tunnel)",
                "  devices config ID [PID [key=value ...]]   show or change a device's configuration",
                "  artifacts upload FILE [--sign-key KEY.pem | --release-key]   upload a bundle jar",
                "  artifacts sign FILE --key KEY.pem   sign an artifact here (the key never leaves)",
                "  artifacts keygen --out DIR   make a publisher key pair",
                "  artifacts list|delete|release-key   the artifacts; the cloud's release key",
                "  deployments create --artifact SHA --devices ID,...|--all [--waves 1,10%%,100%%]",
                "                         roll an update out in waves (--max-failures N per wave)",
                "  deployments show|list|cancel   follow or cancel rollouts",
                "  audit                  show the audit trail, newest first",
                "  copy-database --to postgresql://...   copy a stopped SQLite cloud into PostgreSQL",
                "  version                print the version", "", "Options:"},
            footer = {"", "Run any command with --help for its options. Exit status: 0 done, 1 the server refused,",
                "2 a wrong command line, 3 the server could not be reached or a file could not be read."})
    static final class Top extends CommandGroup {
        Top(Terminal terminal) {
            super(terminal);
        }
    }

    /** {@code version}: the same as {@code --version}. */
    @Command(name = "version", description = "Prints the version.")
    static final class VersionCommand implements Callable<Integer> {
        private final Terminal terminal;

        VersionCommand(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            terminal.out.println("edgeflow-cloud " + version());
            return OK;
        }
    }

    /** {@code --version}: the jar's Implementation-Version. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"edgeflow-cloud " + Cli.version()};
        }
    }

    /**
     * Runs one command.
     *
     * @param args the command line
     * @return the exit status
     */
    public int run(List<String> args) {
        String command = args.isEmpty() ? "" : args.get(0);
        CommandLine cli = new CommandLine(new Top(terminal))
                .addSubcommand(new ServeCommand(terminal))
                .addSubcommand(new CodeCommands(terminal))
                .addSubcommand(new DeviceCommands(terminal))
                .addSubcommand(new ArtifactCommands(terminal))
                .addSubcommand(new DeploymentCommands(terminal))
                .addSubcommand(new AuditCommand(terminal))
                .addSubcommand(new CopyDatabaseCommand(terminal))
                .addSubcommand(new VersionCommand(terminal))
                .addSubcommand("help", new CommandLine.HelpCommand());
        cli.setExpandAtFiles(false); // "@name" is an ordinary value (a label, a body), never a file to read
        cli.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        cli.setUsageHelpWidth(110);
        // the top's description lists every command line (code create, devices call ...), not only the words
        List<String> sections = new ArrayList<>(cli.getHelpSectionKeys());
        sections.remove(UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING);
        sections.remove(UsageMessageSpec.SECTION_KEY_COMMAND_LIST);
        cli.getCommandSpec().usageMessage().sectionKeys(sections);
        cli.setOut(new PrintWriter(terminal.out, true));
        cli.setErr(new PrintWriter(terminal.err, true));
        cli.setParameterExceptionHandler((e, words) -> mistake(e, command));
        cli.setExecutionExceptionHandler((e, line, parsed) -> failure(e, command, parsed));
        return cli.execute(args.toArray(new String[0]));
    }

    /** A command line picocli could not take apart: one line naming the mistake. */
    private int mistake(ParameterException e, String command) {
        if (e instanceof UnmatchedArgumentException u && e.getCommandLine().getParent() == null
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            terminal.err.println("edgeflow-cloud: unknown command '" + u.getUnmatched().get(0) + "'");
            e.getCommandLine().usage(terminal.err);
            return USAGE;
        }
        if (e.getCause() instanceof TypeConversionException t && e.getArgSpec() instanceof OptionSpec o) {
            // the old parser's words: "--ttl: 'tomorrow' is not a duration; ..."
            terminal.err.println("edgeflow-cloud " + command + ": " + o.longestName() + ": " + t.getMessage());
            return USAGE;
        }
        terminal.err.println("edgeflow-cloud " + command + ": " + describe(e) + " (see --help)");
        return USAGE;
    }

    private static String describe(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().get(0);
            if (word.startsWith("-")) {
                int eq = word.indexOf('=');
                return "unknown option " + (eq > 0 ? word.substring(0, eq) : word);
            }
            CommandSpec spec = e.getCommandLine().getCommandSpec();
            if (!spec.subcommands().isEmpty()) {
                return "unknown subcommand '" + word + "'; use " + choices(spec);
            }
            return "unexpected argument '" + word + "'";
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().get(0);
            if (missing instanceof OptionSpec o) {
                return o.longestName() + " needs a value";
            }
        }
        return e.getMessage();
    }

    /** The subcommands a command takes, in the order people meet them (picocli lists method subcommands in any order). */
    private static final Map<String, String> CHOICES = Map.of("code", "create, list or revoke", "devices",
            "list, show, revoke, call, bundles or config", "artifacts",
            "upload, sign, keygen, list, delete or release-key", "deployments", "create, show, list or cancel");

    private static String choices(CommandSpec spec) {
        return CHOICES.getOrDefault(spec.name(), String.join(", ", spec.subcommands().keySet()));
    }

    /** A command that failed while it ran: the server refused, could not be reached, or the input was wrong. */
    private int failure(Exception e, String command, ParseResult parsed) {
        if (e instanceof UsageException) {
            terminal.err.println("edgeflow-cloud " + command + ": " + e.getMessage() + " (see --help)");
            return USAGE;
        }
        if (e instanceof AdminClient.ServerError s) {
            terminal.err.println("error: " + s.code + " (HTTP " + s.status + "): " + s.getMessage());
            return REFUSED;
        }
        if (e instanceof AdminClient.ConnectionError || e instanceof IOException) {
            terminal.err.println("error: " + e.getMessage());
            return UNREACHABLE;
        }
        if (e instanceof IllegalArgumentException) {
            // a setting the records refuse: "--max-code-ttl must not be shorter than --default-code-ttl"
            terminal.err.println("edgeflow-cloud " + command + ": " + e.getMessage());
            return USAGE;
        }
        terminal.err.println("error: " + e);
        return UNREACHABLE;
    }

    static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
