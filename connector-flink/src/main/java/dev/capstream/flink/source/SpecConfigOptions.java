package dev.capstream.flink.source;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingValues;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Flink's {@link ConfigOption}s of spec {@link Setting}s: keys as {@link Host#FLINK} spells them,
 * Flink's own types (MemorySize, Duration, lists separated by ';' in SQL), the spec's
 * documentation; and the way back from a configuration to the spec's {@link SettingValues}.
 */
final class SpecConfigOptions {

    /** Keys the capture source had before the capture spec named them, still read (Flink's deprecated keys). */
    private static final Map<String, String> FORMER_KEYS = Map.of("ring.blocks", "ring.block-count");

    private final Map<Setting<?>, ConfigOption<?>> options = new LinkedHashMap<>();

    SpecConfigOptions(List<Setting<?>> settings) {
        for (Setting<?> s : settings) {
            options.put(s, option(s));
        }
    }

    /** The option of a setting. */
    @SuppressWarnings("unchecked")
    <V> ConfigOption<V> get(Setting<?> setting) {
        ConfigOption<?> option = options.get(setting);
        if (option == null) {
            throw new IllegalArgumentException(setting + " is no option of the capture source");
        }
        return (ConfigOption<V>) option;
    }

    /** Every option, in the spec's order. */
    List<ConfigOption<?>> all() {
        return List.copyOf(options.values());
    }

    Map<Setting<?>, ConfigOption<?>> bySetting() {
        return options;
    }

    /**
     * The spec's values of a configuration, parsed and checked.
     *
     * @throws dev.capstream.capture.spec.InvalidSettingException naming the key
     */
    SettingValues values(ReadableConfig config) {
        return SettingValues.resolve(Host.FLINK, options.keySet(),
                s -> config.getOptional(options.get(s)).map(v -> toSpec(s, v)).orElse(null));
    }

    /** A value of the spec's type as Flink's type (for the builder's setters). */
    static Object toFlink(Setting<?> s, Object value) {
        return switch (s.type().kind()) {
            case SIZE -> new MemorySize(((Number) value).longValue());
            default -> value;
        };
    }

    private static Object toSpec(Setting<?> s, Object value) {
        if (value instanceof MemorySize size) {
            // Beyond an int the spec's check says the size is out of range, in the spec's words.
            return size.getBytes() > Integer.MAX_VALUE ? String.valueOf(size.getBytes()) : (int) size.getBytes();
        }
        return value;
    }

    private static ConfigOption<?> option(Setting<?> s) {
        ConfigOptions.OptionBuilder b = key(Host.FLINK.name(s));
        Object d = s.defaultValue();
        ConfigOption<?> option = switch (s.type().kind()) {
            case INT -> d == null ? b.intType().noDefaultValue() : b.intType().defaultValue((Integer) d);
            case LONG -> d == null ? b.longType().noDefaultValue() : b.longType().defaultValue((Long) d);
            case DOUBLE -> d == null ? b.doubleType().noDefaultValue() : b.doubleType().defaultValue((Double) d);
            case BOOLEAN -> d == null ? b.booleanType().noDefaultValue() : b.booleanType().defaultValue((Boolean) d);
            case STRING, WORD -> d == null ? b.stringType().noDefaultValue() : b.stringType().defaultValue((String) d);
            case LIST -> b.stringType().asList().noDefaultValue();
            case SIZE -> d == null ? b.memoryType().noDefaultValue()
                    : b.memoryType().defaultValue(new MemorySize(((Integer) d).longValue()));
            case DURATION -> d == null ? b.durationType().noDefaultValue() : b.durationType().defaultValue((Duration) d);
        };
        String former = FORMER_KEYS.get(s.name());
        if (former != null) {
            option = option.withDeprecatedKeys(former);
        }
        return option.withDescription(Host.FLINK.documentation(s));
    }
}
