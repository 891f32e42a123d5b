package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.run.SetupException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code --config} file: Java properties whose keys are the long option names without dashes
 * ({@code bootstrap-servers=kafka:9092}), {@code kafka.<setting>} for every Kafka client, and
 * {@code producer.<setting>}, {@code admin.<setting>}, {@code consumer.<setting>} for one. Values
 * from the file are the options' defaults, so flags on the command line override them. A key that
 * is no option of the command is an error, so a typo does not silently fall back to a default.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {

    static final String PRODUCER_PREFIX = "producer.";
    /** Prefixes of Kafka client settings: every client, then each kind's overrides. */
    static final java.util.List<String> CLIENT_PREFIXES = java.util.List.of("kafka.", PRODUCER_PREFIX, "admin.",
            "consumer.");

    private final Path path;
    private final Properties properties;

    private ConfigFile(Path path, Properties properties) {
        this.path = path;
        this.properties = properties;
    }

    /** Finds {@code --config FILE} (or {@code --config=FILE}) in the raw arguments, before parsing. */
    static ConfigFile fromArguments(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return load(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return load(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    static ConfigFile load(String file) {
        Path path = Path.of(file);
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(path)) {
            p.load(in);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SetupException("--config " + file + " is not UTF-8 text: save it as UTF-8 (a properties file of"
                    + " key=value lines)");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SetupException("--config " + file + " does not exist (give the path of a properties file)");
        } catch (IOException e) {
            throw new SetupException("cannot read --config " + file + ": " + e.getMessage()
                    + " (give the path of a properties file)");
        }
        return new ConfigFile(path, p);
    }

    /** The file's settings under {@code prefix} (e.g. {@code kafka.}), without it; empty without a file. */
    static Map<String, String> clientProperties(String file, String prefix) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (file == null) {
            return settings;
        }
        Properties p = load(file).properties;
        for (String k : new TreeSet<>(p.stringPropertyNames())) {
            if (k.startsWith(prefix)) {
                settings.put(k.substring(prefix.length()), p.getProperty(k));
            }
        }
        return settings;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            return properties.getProperty(stripDashes(option.longestName()));
        }
        return null;
    }

    /** Fails on keys that name no option of the command that runs. */
    void checkKeysFor(CommandSpec command) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec o : command.options()) {
            known.add(stripDashes(o.longestName()));
        }
        List<String> unknown = properties.stringPropertyNames().stream().sorted()
                .filter(k -> CLIENT_PREFIXES.stream().noneMatch(k::startsWith) && !known.contains(k)).toList();
        if (!unknown.isEmpty()) {
            known.removeAll(Set.of("help", "version", "config"));
            throw new IllegalArgumentException("--config " + path + ": " + String.join(", ", unknown)
                    + (unknown.size() == 1 ? " is not an option" : " are not options") + " of '"
                    + command.qualifiedName() + "'; allowed keys: " + String.join(", ", known)
                    + ", and kafka.<setting>, producer.<setting>, admin.<setting>, consumer.<setting>");
        }
    }

    private static String stripDashes(String name) {
        return name.replaceFirst("^-+", "");
    }
}
