package dev.chatbatch.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.servlet.http.HttpServletResponse;
import dev.chatbatch.Json;

import java.io.IOException;

/**
 * The body of every API error: what was wrong ({@code error}), the HTTP {@code status}, the request
 * {@code path}, and where it applies, the {@code field} (parameter, path variable or body key) that was
 * wrong and the CLI {@code exitCode} the same refusal has on the command line.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ApiError(String error, int status, String path, String field, Integer exitCode) {

    /** Writes an error outside Spring MVC (the security filters' 401 and 403). */
    void writeTo(HttpServletResponse response) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(Json.compact(this));
    }
}
