package dev.chatbatch.cli;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line: splits Spring-style options from the command, runs the picocli command, and
 * turns every outcome into an exit code of SPEC §7. Operator errors print one line, never a stack
 * trace; unexpected errors print one line with the database's (or the root cause's) message and exit 1.
 * {@code --verbose} adds stack traces, to the console log and to an unexpected error.
 */
public final class Cli {

    private static final List<String> SPRING_PREFIXES =
            List.of("--spring.", "--chatbatch.", "--server.", "--management.", "--logging.");

    /** Anywhere on the command line: a properties or YAML file of settings (connection, credentials, options). */
    static final String CONFIG = "--config";

    /** Spring Boot's own way to name such a file; checked the same way. */
    static final String ADDITIONAL_LOCATION = "--spring.config.additional-location";

    /** Anywhere on the command line: {@code text} (default) or a Spring Boot structured format for the log on stderr. */
    static final String LOG_FORMAT = "--log-format";

    private static final List<String> STRUCTURED_FORMATS = List.of("ecs", "logstash", "gelf");

    /** Anywhere on the command line: log and print failures with their stack traces. */
    static final String VERBOSE = "--verbose";

    private final PrintStream out;
    private final PrintStream err;
    private final Confirmation.Terminal terminal;
    private boolean verbose;

    public Cli(PrintStream out, PrintStream err) {
        this(out, err, Confirmation.system());
    }

    /** With another terminal than the process's: for tests of the confirmation question. */
    Cli(PrintStream out, PrintStream err, Confirmation.Terminal terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public int run(String... args) {
        List<String> commandArgs = new ArrayList<>();
        List<String> springArgs = new ArrayList<>();
        Map<String, String> springProperties = new LinkedHashMap<>();
        boolean verbose = false;
        List<Path> configFiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals(CONFIG) || arg.startsWith(CONFIG + "=") || arg.startsWith(ADDITIONAL_LOCATION + "=")) {
                String option = arg.startsWith(ADDITIONAL_LOCATION) ? ADDITIONAL_LOCATION : CONFIG;
                String value = arg.equals(CONFIG) ? (i + 1 < args.length ? args[++i] : "") : arg.substring(arg.indexOf('=') + 1);
                if (value.isBlank()) {
                    err.println("error: " + option + " needs a file: write " + option + (option.equals(CONFIG) ? " FILE" : "=FILE"));
                    return ExitCode.USAGE.code();
                }
                try {
                    for (String one : value.split(",")) {
                        if (!one.startsWith("optional:")) {
                            configFiles.add(ConfigFiles.given(option, one.strip()));
                        }
                    }
                } catch (OperatorException e) {
                    err.println("error: " + e.getMessage());
                    return e.exitCode().code();
                }
                if (option.equals(ADDITIONAL_LOCATION)) {
                    springArgs.add(arg);
                }
                continue;
            }
            if (arg.equals(LOG_FORMAT) || arg.startsWith(LOG_FORMAT + "=")) {
                String value = arg.equals(LOG_FORMAT) ? (i + 1 < args.length ? args[++i] : "") : arg.substring(arg.indexOf('=') + 1);
                String format = value.equals("json") ? "ecs" : value;
                if (format.equals("text")) {
                    continue;
                }
                if (!STRUCTURED_FORMATS.contains(format)) {
                    err.println("error: " + LOG_FORMAT + " " + value + " is not a log format: use text (the default), json (= ecs),"
                            + " ecs, logstash or gelf");
                    return ExitCode.USAGE.code();
                }
                springArgs.add("--logging.config=classpath:logback-json.xml");
                springArgs.add("--logging.structured.format.console=" + format);
                continue;
            }
            if (arg.equals(VERBOSE)) {
                verbose = true;
                springProperties.put(AppSession.EXCEPTIONS_PROPERTY, AppSession.WITH_STACK_TRACES);
                continue;
            }
            if (SPRING_PREFIXES.stream().anyMatch(arg::startsWith)) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    err.println("error: " + arg + " needs a value: write " + arg + "=VALUE");
                    return ExitCode.USAGE.code();
                }
                springArgs.add(arg);
                springProperties.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                commandArgs.add(arg);
            }
        }
        this.verbose = verbose;
        if (!configFiles.isEmpty() && springArgs.stream().noneMatch(a -> a.startsWith(ADDITIONAL_LOCATION + "="))) {
            // Spring reads the --config files for everything else, after (and over) its default locations
            springArgs.add(ADDITIONAL_LOCATION + "=" + String.join(",", configFiles.stream().map(f -> "file:" + f).toList()));
        }
        try (CliContext context = new CliContext(out, err, springArgs, springProperties, configFiles, terminal)) {
            CommandLine cli = commandLine(context);
            return cli.execute(commandArgs.toArray(String[]::new));
        }
    }

    CommandLine commandLine(CliContext context) {
        ContextFactory factory = new ContextFactory(context);
        CommandLine cli = new CommandLine(new RootCommand(), factory);
        MigrationCommand.addSubcommands(cli.getSubcommands().get("migration"), context, factory);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex));
        cli.setExitCodeExceptionMapper(ex -> ExitCode.USAGE.code());
        // Bad input: the reason, any "did you mean", then always the usage of the command concerned.
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter writer = ex.getCommandLine().getErr();
            writer.println(ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, writer);
            ex.getCommandLine().usage(writer);
            return ExitCode.USAGE.code();
        });
        return cli;
    }

    private int handle(Exception ex) {
        OperatorException operator = OperatorException.findIn(ex);
        if (operator != null) {
            err.println("error: " + DatabaseErrors.withoutSql(operator.getMessage()));
            return operator.exitCode().code();
        }
        // one line saying what the database (or the failing part) said; the stack trace only when asked
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.println("error: " + DatabaseErrors.describe(ex) + (verbose ? "" : " (" + VERBOSE + " shows the stack trace)"));
        return ExitCode.JOB_FAILED.code();
    }

    /** Creates commands, handing the {@link CliContext} to those whose constructor takes one. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                Class<?>[] params = constructor.getParameterTypes();
                if (params.length == 1 && params[0] == CliContext.class) {
                    constructor.setAccessible(true);
                    return type.cast(constructor.newInstance(context));
                }
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
