package dev.capstream.flink.examples;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A job's {@code --name value} arguments. Lists are comma-separated. Every {@code --kafka.NAME}
 * argument, and every line of the {@code --kafka-properties} file, is a Kafka client property.
 */
final class JobArgs {

    private final Map<String, String> values;

    private JobArgs(Map<String, String> values) {
        this.values = values;
    }

    /** @throws IllegalArgumentException on an argument that is not {@code --name value} */
    static JobArgs parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("arguments are --name value pairs; '" + args[i]
                        + "' is " + (args[i].startsWith("--") ? "missing its value" : "not a --name"));
            }
            values.put(args[i].substring(2), args[i + 1]);
        }
        return new JobArgs(values);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        String value = values.get(name);
        try {
            return value == null ? fallback : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + value + "'", e);
        }
    }

    String[] list(String name) {
        return Arrays.stream(required(name).split(",")).map(String::strip).toArray(String[]::new);
    }

    Optional<String[]> optionalList(String name) {
        return has(name) ? Optional.of(list(name)) : Optional.empty();
    }

    Path[] paths(String name) {
        return Arrays.stream(list(name)).map(Path::of).toArray(Path[]::new);
    }

    /**
     * Kafka client properties: the {@code --kafka-properties} file (keep secrets such as
     * {@code sasl.jaas.config} there, not on a command line), then each {@code --kafka.NAME value}.
     */
    Properties kafkaClientProperties() {
        Properties properties = new Properties();
        if (has("kafka-properties")) {
            Path file = Path.of(required("kafka-properties"));
            try (Reader in = Files.newBufferedReader(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--kafka-properties " + file + " cannot be read: " + e.getMessage(), e);
            }
        }
        values.forEach((name, value) -> {
            if (name.startsWith("kafka.")) {
                properties.setProperty(name.substring("kafka.".length()), value);
            }
        });
        return properties;
    }
}
