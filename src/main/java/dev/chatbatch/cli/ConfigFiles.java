package dev.chatbatch.cli;

import dev.chatbatch.OperatorException;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration files a command reads, as Spring Boot reads them: {@code application.properties}
 * (or {@code .yml}) in the working directory and in {@code ./config/}, then each {@code --config FILE} (or
 * {@code --spring.config.additional-location=FILE}), later files winning. The connection settings are read
 * from them before Spring starts (the CLI picks the database first); Spring reads the same files for the rest.
 */
final class ConfigFiles {

    /** Spring Boot's default locations in the working directory, lowest precedence first. */
    private static final List<Path> DEFAULTS = List.of(Path.of("application.properties"), Path.of("application.yml"),
            Path.of("application.yaml"), Path.of("config", "application.properties"), Path.of("config", "application.yml"),
            Path.of("config", "application.yaml"));

    private ConfigFiles() {
    }

    /**
     * A file given with {@code --config}, checked: it exists, is readable and is a properties or YAML file.
     * Otherwise a usage error saying which and how to fix it.
     */
    static Path given(String option, String value) {
        Path file = Path.of(value.startsWith("file:") ? value.substring("file:".length()) : value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw OperatorException.usage(option + " " + value + ": " + (Files.exists(file) ? "is not a file" : "no such file")
                    + "; give the path of a .properties or .yml file (e.g. spring.datasource.url, credentials, chatbatch.* options)");
        }
        if (loader(file) == null) {
            throw OperatorException.usage(option + " " + value + ": not a .properties, .yml or .yaml file");
        }
        if (!Files.isReadable(file)) {
            throw OperatorException.usage(option + " " + value + ": cannot be read (check its permissions)");
        }
        return file;
    }

    /** The properties of the default files that exist, then of {@code given}, later ones overriding earlier ones. */
    static Map<String, String> read(List<Path> given) {
        Map<String, String> all = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>(DEFAULTS.stream().filter(Files::isRegularFile).toList());
        files.addAll(given);
        for (Path file : files) {
            PropertySourceLoader loader = loader(file);
            if (loader == null) {
                continue;
            }
            try {
                for (PropertySource<?> source : loader.load(file.toString(), new FileSystemResource(file))) {
                    if (source instanceof EnumerablePropertySource<?> enumerable) {
                        for (String name : enumerable.getPropertyNames()) {
                            Object value = enumerable.getProperty(name);
                            all.put(name, value == null ? null : value.toString());
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw OperatorException.usage("configuration file " + file + " cannot be read: " + e.getMessage());
            }
        }
        return all;
    }

    private static PropertySourceLoader loader(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".properties")) {
            return new PropertiesPropertySourceLoader();
        }
        if (name.endsWith(".yml") || name.endsWith(".yaml")) {
            return new YamlPropertySourceLoader();
        }
        return null;
    }
}
