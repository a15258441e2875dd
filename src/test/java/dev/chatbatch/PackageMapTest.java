package dev.chatbatch;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package map in README.md ("Architecture") is the rule: each row names a package and the packages it
 * may depend on. This test reads that table and checks the compiled main classes against it, so the README
 * cannot drift from the code: a new dependency either follows the map or changes the README in the same
 * commit. Sub-packages count as their top-level package ({@code schema.types} is {@code schema}).
 */
class PackageMapTest {

    private static final String ROOT = "dev.chatbatch";
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\|[^|]*\\| ([^|]*) \\|\\s*$");

    @Test
    void theCodeFollowsThePackageMapInTheReadme() throws IOException {
        Map<String, Set<String>> allowed = readmeMap();
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        Set<String> packages = new TreeSet<>();
        List<String> violations = new ArrayList<>();
        for (JavaClass c : classes) {
            String from = area(c.getPackageName());
            packages.add(from);
            if (!allowed.containsKey(from)) {
                violations.add(c.getName() + ": package '" + from + "' is not in the README's package map");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                if (!target.startsWith(ROOT)) {
                    continue;
                }
                String to = area(target);
                if (!to.equals(from) && !allowed.get(from).contains(to) && !isEntryPoint(c)) {
                    violations.add(from + " -> " + to + ": " + d.getDescription());
                }
            }
        }
        assertThat(violations).as("dependencies the README's package map does not allow").isEmpty();
        assertThat(allowed.keySet()).as("packages in the README's map that do not exist").isSubsetOf(packages);
    }

    /** {@code Chatbatch.main} starts the CLI: the one class of the root package that may reach into it. */
    private static boolean isEntryPoint(JavaClass c) {
        return c.getName().equals(ROOT + ".Chatbatch");
    }

    private static String area(String pkg) {
        if (pkg.equals(ROOT)) {
            return "root";
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static Map<String, Set<String>> readmeMap() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("## Architecture");
        assertThat(start).as("README.md has an '## Architecture' section").isGreaterThanOrEqualTo(0);
        Map<String, Set<String>> map = new LinkedHashMap<>();
        for (String line : readme.substring(start).split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                Set<String> deps = new TreeSet<>();
                Matcher dep = Pattern.compile("`([a-z]+)`").matcher(m.group(2));
                while (dep.find()) {
                    deps.add(dep.group(1));
                }
                map.put(m.group(1), deps);
            }
        }
        assertThat(map).as("rows of the README's package map").isNotEmpty();
        return map;
    }
}
