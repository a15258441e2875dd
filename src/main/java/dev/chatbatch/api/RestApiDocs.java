package dev.chatbatch.api;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3.1 description of the API, a hand-written resource
 * ({@code api/openapi.json}) kept accurate by a test that checks every controller mapping against it.
 */
@RestController
class RestApiDocs {

    private static final Resource DOCUMENT = new ClassPathResource("api/openapi.json");

    @GetMapping(value = "/api/openapi.json", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Resource> openApi() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(DOCUMENT);
    }
}
