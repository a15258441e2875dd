/**
 * The REST API that {@code chatbatch serve} exposes: the controllers ({@code Rest*}: jobs, executions,
 * migrations; the OpenAPI document is generated from them by springdoc, {@code ApiDocs} gives its header),
 * who may call what ({@code ApiSecurity}, {@code ApiAccess}, {@code ApiRole}, {@code ApiProperties}, and
 * {@code SessionLogin}: the console's login, which exchanges the same credentials for a session cookie) and
 * the one mapping of refusals to HTTP statuses ({@code RestErrors}, whose body is {@code ApiError}).
 * Controllers call the same services as the CLI and return their typed results as JSON.
 *
 * <p>May depend on the capability packages ({@code batch}, {@code db}, {@code schema}, {@code migration},
 * {@code schedule}) and the root package. Never on {@code cli}; nothing depends on this package (Spring's
 * component scan finds it, in the web application {@code serve} starts only).
 */
package dev.chatbatch.api;
