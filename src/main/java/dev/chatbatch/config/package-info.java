/**
 * What the loaders of configuration files share: {@link dev.chatbatch.config.ConfigFileException}, the
 * one "file: field: reason" refusal (exit 2) of the migration specs in {@code jobs/} and of
 * {@code jobs/maintenance.yml}, with {@link dev.chatbatch.config.ConfigFile} to build it, and
 * {@link dev.chatbatch.config.DurationRange}, the one duration grammar ({@code 500ms}, {@code 2s},
 * {@code 1min}, {@code 1h}) with the range a setting accepts, used by the spec's timeouts and the
 * maintenance jobs' {@code lock-timeout}, and {@link dev.chatbatch.config.JobsDirectory}, the one
 * {@code --chatbatch.jobs-dir} both loaders read their files from.
 *
 * <p>Its own package rather than the root one: only the two loaders use it, and it keeps them apart
 * (neither {@code migration} nor {@code maintenance} depends on the other). Depends only on the JDK and
 * the root package; {@code migration} and {@code maintenance} depend on it.
 */
package dev.chatbatch.config;
