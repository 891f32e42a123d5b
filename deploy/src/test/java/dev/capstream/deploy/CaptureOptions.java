package dev.capstream.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The real options of {@code capstream capture}, from picocli's model of the sidecar's own
 * {@code dev.capstream.sidecar.cli.Main}: what every option named in a deploy file is checked against.
 */
final class CaptureOptions {

    private CaptureOptions() {
    }

    static CommandLine commandLine() {
        return dev.capstream.sidecar.cli.Main.commandLine();
    }

    static CommandSpec captureSpec() {
        return commandLine().getSubcommands().get("capture").getCommandSpec();
    }

    /** Long option names without dashes: the keys a --config file may use (besides producer.*). */
    static Set<String> configKeys() {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : captureSpec().options()) {
            keys.add(o.longestName().replaceFirst("^-+", ""));
        }
        keys.removeAll(Set.of("help", "version", "config"));
        return keys;
    }

    static String defaultValue(String longName) {
        return captureSpec().findOption(longName).defaultValue();
    }

    /** Config keys that are no option of capture. */
    static List<String> unknownKeys(Properties config) {
        Set<String> known = configKeys();
        return config.stringPropertyNames().stream().sorted()
                .filter(k -> java.util.stream.Stream.of("kafka.", "producer.", "admin.", "consumer.").noneMatch(k::startsWith)
                        && !known.contains(k)).toList();
    }

    /**
     * Parses {@code capture ARGS} with picocli, as the sidecar does: unknown options, missing
     * values and values of the wrong type throw {@link CommandLine.ParameterException}.
     */
    static void parseCapture(List<String> args) {
        List<String> all = new ArrayList<>(List.of("capture"));
        all.addAll(args);
        if (args.stream().noneMatch(a -> a.equals("--topic") || a.startsWith("--topic="))) {
            all.addAll(List.of("--topic", "t")); // the one required option, which the --config file holds
        }
        commandLine().parseArgs(all.toArray(String[]::new));
    }

    /** A --config file's entries as the flags they stand for (booleans only when true). */
    static List<String> asFlags(Properties config) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<Object, Object> e : new java.util.TreeMap<>(config).entrySet()) {
            String key = (String) e.getKey();
            String value = (String) e.getValue();
            if (key.startsWith("producer.")) {
                continue;
            }
            OptionSpec option = captureSpec().findOption("--" + key);
            if (option != null && option.arity().max() == 0) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException(key + "=" + value + ": a switch takes true or false");
                }
                if (value.equals("true")) {
                    args.add("--" + key);
                }
            } else {
                args.add("--" + key + "=" + value);
            }
        }
        return args;
    }
}
