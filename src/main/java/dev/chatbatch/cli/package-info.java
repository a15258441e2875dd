/**
 * The command line: {@link dev.chatbatch.cli.Cli} (splits Spring-style options from the command, maps
 * every outcome to an exit code of SPEC §7), the picocli command tree ({@code RootCommand} and one
 * {@code *Command} class per command), the per-command Spring application ({@code CliContext},
 * {@code AppSession}; the read-only commands get the small context of {@code ReadOnlyApplication}), the
 * configuration files a command reads ({@code ConfigFiles}, {@code --config}), the question before a step
 * that cannot be undone ({@code Confirmation}, {@code --yes}; its {@code Terminal} also decides whether
 * progress is drawn in place), the backfill's progress phrase ({@code BackfillFrame}), {@code status
 * --watch} ({@code StatusWatch}) and the text/JSON
 * rendering of what the services return ({@code ExecutionPrinter}, the commands' own tables). Commands stay
 * thin: parse, call a capability's service, render its typed result.
 *
 * <p>May depend on every capability package ({@code batch}, {@code db}, {@code schema}, {@code migration},
 * {@code maintenance}, {@code schedule}) and the root package. Never on {@code api}: {@code serve} starts the
 * Spring application, whose component scan brings the REST API in. Nothing depends on this package except
 * {@link dev.chatbatch.Chatbatch}, the entry point.
 */
package dev.chatbatch.cli;
