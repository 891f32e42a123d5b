package dev.capstream.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Where the deploy module's files are, as Maven passes them to the tests, and how to read them. */
final class DeployFiles {

    private DeployFiles() {
    }

    static String projectVersion() {
        return required("capstream.version");
    }

    /** deploy/ in the source tree. */
    static Path moduleDir() {
        return Path.of(required("capstream.deploy.dir"));
    }

    /** The manifests with the image tag filled in by Maven (target/kubernetes). */
    static Path filteredKubernetes() {
        String dir = System.getProperty("capstream.filtered.kubernetes");
        return dir != null ? Path.of(dir) : moduleDir().resolve("target/kubernetes");
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the tests through Maven");
        }
        return value;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every YAML document in the file, as maps. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(Path file) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml(new LoaderOptions()).loadAll(read(file))) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }
}
