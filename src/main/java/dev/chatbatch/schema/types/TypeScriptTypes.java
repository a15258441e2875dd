package dev.chatbatch.schema.types;

import dev.chatbatch.OperatorException;
import dev.chatbatch.db.Identifiers;
import dev.chatbatch.schema.SchemaModules;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;

/** {@code schema types}: the database's TypeScript types, for {@code public} and every applied module's schema. */
@Service
public class TypeScriptTypes {

    public static final List<String> LANGUAGES = List.of("typescript");

    private final DataSource dataSource;
    private final SchemaModules modules;

    public TypeScriptTypes(DataSource dataSource, SchemaModules modules) {
        this.dataSource = dataSource;
        this.modules = modules;
    }

    /** public, then the applied modules' schemas in module order. */
    public List<String> defaultSchemas() {
        List<String> schemas = new ArrayList<>(List.of("public"));
        modules.applied().forEach(m -> schemas.add(m.schema()));
        return schemas;
    }

    /** The contents of {@code database.types.ts} for these schemas. */
    public String generate(String language, List<String> schemas) {
        if (!LANGUAGES.contains(language)) {
            throw OperatorException.usage("--lang " + language + " is not supported: use " + String.join(", ", LANGUAGES));
        }
        schemas.forEach(s -> Identifiers.quote("schema", s));
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        for (String s : schemas) {
            if (!Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from pg_namespace where nspname = ?)", Boolean.class, s))) {
                throw OperatorException.usage("schema " + s + " does not exist in this database");
            }
        }
        CatalogReader reader = new CatalogReader(jdbc);
        return TypeScriptRenderer.render(schemas.stream().map(reader::read).toList(), reader::type);
    }
}
