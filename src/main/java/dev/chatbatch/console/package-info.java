/**
 * The operator console that {@code chatbatch serve} renders at {@code /}: server-rendered pages
 * ({@code ConsolePages}, Thymeleaf templates under {@code templates/console}) for migrations, jobs and
 * executions, and a small script ({@code static/console/console.js}) that refreshes their live parts and
 * sends every action to the REST API (so the API's role checks and validation apply unchanged). Login,
 * sessions and CSRF belong to the API's security ({@code api.SessionLogin}); this package only reads
 * the services.
 *
 * <p>May depend on the capability packages ({@code batch}, {@code migration}, {@code maintenance},
 * {@code schedule}) and the root package. Never on {@code cli} or {@code api}; nothing depends on this
 * package. Every bean here is web-only ({@code @ConditionalOnWebApplication}): the CLI's commands run
 * without a web context.
 */
package dev.chatbatch.console;
