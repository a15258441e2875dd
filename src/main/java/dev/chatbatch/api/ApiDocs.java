package dev.chatbatch.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's title and credentials; springdoc generates the paths from the controllers
 * ({@code GET /api/openapi.json}, Swagger UI at {@code /swagger-ui.html}, see application.properties).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class ApiDocs {

    @Bean
    OpenAPI chatbatchOpenApi() {
        return new OpenAPI()
                .info(new Info().title("chatbatch operator API").version("1")
                        .description("Jobs, executions and migrations. GET needs the viewer role, every other method"
                                + " the operator role. Errors carry {error, status, path, field?, exitCode?}."))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer"))
                        .addSecuritySchemes("basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"))
                .addSecurityItem(new SecurityRequirement().addList("basic"));
    }
}
