package dev.capstream.capture.spec;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The values a host read for some settings, parsed and checked. Made by
 * {@link #resolve(Host, Collection, Function)} from whatever the host has (picocli strings, a
 * Connect config's typed values, a Flink configuration), and read by the code that turns them into
 * reader options, which names problems between settings with {@link #problem}.
 */
public final class SettingValues {

    private final Host host;
    private final Map<Setting<?>, Object> values;
    private final Set<Setting<?>> given;

    private SettingValues(Host host, Map<Setting<?>, Object> values, Set<Setting<?>> given) {
        this.host = host;
        this.values = values;
        this.given = given;
    }

    /**
     * Reads, parses and checks each setting.
     *
     * @param source the host's raw value of a setting: null when not given, text, or a value of the
     *     setting type's Java type
     * @throws InvalidSettingException for the first setting whose value is refused
     */
    public static SettingValues resolve(Host host, Collection<? extends Setting<?>> settings,
            Function<Setting<?>, Object> source) {
        Map<Setting<?>, Object> values = new HashMap<>();
        Set<Setting<?>> given = new HashSet<>();
        for (Setting<?> setting : settings) {
            Object raw = source.apply(setting);
            Object value = setting.value(host, raw);
            if (value != null) {
                values.put(setting, value);
            }
            if (raw != null && !(raw instanceof String text && text.isBlank())) {
                given.add(setting);
            }
        }
        return new SettingValues(host, values, given);
    }

    /** Reads back {@link #asText()}. */
    public static SettingValues fromText(Host host, Collection<? extends Setting<?>> settings, Map<String, String> text) {
        return resolve(host, settings, s -> text.get(s.name()));
    }

    /**
     * The given values as text, by setting name: a plain, serializable form (for a job graph, say)
     * that {@link #fromText} reads back to the same values.
     */
    public Map<String, String> asText() {
        Map<String, String> text = new TreeMap<>();
        for (Setting<?> setting : given) {
            text.put(setting.name(), format(setting));
        }
        return text;
    }

    private <T> String format(Setting<T> setting) {
        T value = get(setting);
        return value == null ? "" : setting.type().format(value);
    }

    /** Every setting at its default. */
    public static SettingValues defaults(Host host, Collection<? extends Setting<?>> settings) {
        return resolve(host, settings, s -> null);
    }

    public Host host() {
        return host;
    }

    /**
     * The setting's value: as given, else its default (null when it has none).
     *
     * @throws IllegalArgumentException when the setting was not resolved here (a programming error)
     */
    public <T> T get(Setting<T> setting) {
        Object value = values.get(setting);
        if (value == null && !values.containsKey(setting) && setting.defaultValue() != null) {
            throw new IllegalArgumentException(setting + " was not resolved");
        }
        return setting.type().javaType().cast(value);
    }

    /** The value, or {@code fallback} when it was not given (for defaults a host works out itself). */
    public <T> T getOr(Setting<T> setting, T fallback) {
        return given.contains(setting) ? get(setting) : fallback;
    }

    /** Whether the user gave a value (a default does not count). */
    public boolean isGiven(Setting<?> setting) {
        return given.contains(setting);
    }

    /** The setting's name in this host. */
    public String name(Setting<?> setting) {
        return host.name(setting);
    }

    /**
     * A problem between settings, naming them as this host spells them, e.g.
     * "--filter/--filter-bpf: both given: use one".
     */
    public InvalidSettingException problem(String reason, Setting<?>... about) {
        return problem(reason, null, about);
    }

    /** As {@link #problem(String, Setting[])}, caused by the capture layer refusing the values. */
    public InvalidSettingException problem(String reason, Throwable cause, Setting<?>... about) {
        String names = Stream.of(about).map(host::name).collect(Collectors.joining("/"));
        return new InvalidSettingException(host, names, null, host.resolve(familyOf(about), reason), cause);
    }

    private static Family familyOf(Setting<?>[] about) {
        return about.length == 0 ? new Family("", "") : about[0].family();
    }

    /** The settings that were given, for messages. */
    public List<Setting<?>> givenSettings() {
        return List.copyOf(given);
    }
}
