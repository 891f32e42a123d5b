package dev.capstream.sidecar.cli;

import dev.capstream.capture.CaptureException;
import dev.capstream.registry.RegistryException;
import dev.capstream.sidecar.run.ExitStatus;
import dev.capstream.sidecar.run.SetupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code capstream} command line. Exit codes: 0 done, 1 failed while running, 2 bad usage or setup, 3 partial. */
@Command(name = "capstream",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Captures frames off Linux interfaces into Kafka as schema-registry Avro records.",
        subcommands = {CaptureCommand.class, ReplayCommand.class, TailCommand.class, ExportCommand.class,
            DemoCommand.class, BenchCaptureCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (the summary line says what was captured and delivered)",
            "1:failed while running (the message says why; the summary line still accounts for every frame)",
            "2:bad usage or setup (an option, the interface, privileges, the registry or the broker)",
            "3:partial (the run ended, but some frames were not delivered or records not exported; the summary"
                    + " line says result=partial and how many, one line on stderr says why)"})
public final class Main {

    public static final int EXIT_OK = ExitStatus.OK;
    public static final int EXIT_RUNTIME_FAILURE = ExitStatus.RUNTIME_FAILURE;
    public static final int EXIT_SETUP = ExitStatus.SETUP;
    public static final int EXIT_PARTIAL = ExitStatus.PARTIAL;

    public static void main(String[] args) {
        // Kafka's test-kit jar carries a log4j2.yaml, which log4j would prefer over any XML of ours.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "capstream-log4j2.xml");
        }
        System.exit(run(args));
    }

    static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs one command with the given output streams (null: the process's own). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        ConfigFile config;
        try {
            config = ConfigFile.fromArguments(args);
        } catch (SetupException e) {
            cli.getErr().println("capstream: " + e.getMessage());
            cli.getErr().flush();
            return EXIT_SETUP;
        }
        if (config != null) {
            cli.setDefaultValueProvider(config);
            cli.setExecutionStrategy(parseResult -> {
                CommandLine command = parseResult.asCommandLineList().getLast();
                try {
                    config.checkKeysFor(command.getCommandSpec());
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(command, e.getMessage());
                }
                return new CommandLine.RunLast().execute(parseResult);
            });
        }
        cli.setParameterExceptionHandler(Main::badUsage);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Users get the message; a stack trace only with CAPSTREAM_DEBUG set.
            commandLine.getErr().println("capstream " + commandLine.getCommandName() + ": " + userMessage(e)
                    + (e instanceof IllegalArgumentException ? "; see `" + helpCommand(commandLine) + "`" : ""));
            if (System.getenv("CAPSTREAM_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return e instanceof SetupException || e instanceof CaptureException || e instanceof RegistryException
                    || e instanceof IllegalArgumentException ? EXIT_SETUP : EXIT_RUNTIME_FAILURE;
        });
        return cli.execute(args);
    }

    /** A capture setting's own message when the spec refused the value, else picocli's. */
    private static String parameterMessage(CommandLine.ParameterException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof dev.capstream.capture.spec.InvalidSettingException invalid) {
                return invalid.getMessage();
            }
        }
        return userMessage(e);
    }

    /**
     * A bad option, value or config key: one line naming it, and where the usage is. The usage
     * itself is printed only on --help, so the error is not lost above a page of it.
     */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getParent() == null ? "capstream" : "capstream " + command.getCommandName();
        command.getErr().println(name + ": " + parameterMessage(e) + "; see `" + helpCommand(command) + "`");
        command.getErr().flush();
        return EXIT_SETUP;
    }

    private static String helpCommand(CommandLine command) {
        return command.getParent() == null ? "capstream --help" : "capstream " + command.getCommandName() + " --help";
    }

    /** The command line with every command's options, including those generated from shared descriptions. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommandSpec().mixins().values().stream().anyMatch(m -> m.userObject() instanceof ConnectionOptions)) {
                ConnectionOptions.addRegistryOptions(sub.getCommandSpec());
            }
        }
        return cli;
    }

    static String userMessage(Throwable e) {
        return ExitStatus.userMessage(e);
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("/capstream-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"capstream " + version()};
        }
    }
}
