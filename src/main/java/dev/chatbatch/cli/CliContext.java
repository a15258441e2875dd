package dev.chatbatch.cli;

import dev.chatbatch.db.DatabaseTarget;
import dev.chatbatch.schema.SchemaService;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What every command gets: where to print, and a way to open the application on the configured
 * database. Spring-style options ({@code --spring.*}, {@code --chatbatch.*}, {@code --server.*},
 * {@code --management.*}, {@code --logging.*}) are taken off the command line before picocli parses
 * it and passed to Spring here.
 */
public final class CliContext implements AutoCloseable {

    private final PrintStream out;
    private final PrintStream err;
    private final List<String> springArgs;
    private final Map<String, String> springProperties;
    private final List<Path> configFiles;
    private final Confirmation.Terminal terminal;
    private Map<String, String> fileProperties;
    private AppSession session;
    private boolean schemaChecked;

    CliContext(PrintStream out, PrintStream err, List<String> springArgs, Map<String, String> springProperties,
               List<Path> configFiles, Confirmation.Terminal terminal) {
        this.out = out;
        this.configFiles = configFiles;
        this.terminal = terminal;
        this.err = err;
        this.springArgs = springArgs;
        this.springProperties = springProperties;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /** Where a confirmation is asked (see {@link Confirmation}). */
    Confirmation.Terminal terminal() {
        return terminal;
    }

    /**
     * The application on the configured database (embedded and persistent when none is configured),
     * refusing with a clear message unless its schema is this version's (see
     * {@link SchemaService#requireCurrent()}; a read-only context checks the same without Flyway,
     * {@link SchemaService#requireCurrentFromHistory()}).
     */
    public AppSession session() {
        return session(AppSession.Mode.COMMAND, DatabaseTarget.EmbeddedMode.PERSISTENT);
    }

    /** {@link #session()} for a command that only reads: the small context of {@link AppSession.Mode#READ_ONLY}. */
    AppSession readOnlySession() {
        return session(AppSession.Mode.READ_ONLY, DatabaseTarget.EmbeddedMode.PERSISTENT);
    }

    public AppSession session(AppSession.Mode mode, DatabaseTarget.EmbeddedMode embeddedMode) {
        AppSession open = sessionForSchemaWork(mode, embeddedMode);
        if (!schemaChecked) {
            SchemaService schema = open.bean(SchemaService.class);
            if (mode == AppSession.Mode.READ_ONLY) {
                schema.requireCurrentFromHistory();
            } else {
                schema.requireCurrent();
            }
            schemaChecked = true;
        }
        return open;
    }

    /** The application without the schema check: for the commands that migrate, inspect or roll back the schema. */
    public AppSession sessionForSchemaWork() {
        return sessionForSchemaWork(AppSession.Mode.COMMAND, DatabaseTarget.EmbeddedMode.PERSISTENT);
    }

    public AppSession sessionForSchemaWork(AppSession.Mode mode, DatabaseTarget.EmbeddedMode embeddedMode) {
        if (session == null) {
            session = AppSession.open(mode, embeddedMode, springArgs, springProperties, fileProperties());
        } else if (session.mode() != mode) {
            // one command, one context: a read-only one lacks the beans of the others
            throw new IllegalStateException("this command's application is already open as " + session.mode() + ", not " + mode);
        }
        return session;
    }

    /** The configuration files' properties ({@link ConfigFiles}): read when a command first needs them. */
    Map<String, String> fileProperties() {
        if (fileProperties == null) {
            fileProperties = ConfigFiles.read(configFiles);
        }
        return fileProperties;
    }

    /** Where the configured database is, for messages (no credentials). */
    String describeDatabase() {
        return DatabaseTarget.describeConfigured(springProperties, fileProperties());
    }

    /** A Spring-style property given on the command line, or null. */
    public String property(String key) {
        return springProperties.get(key);
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
