package dev.capstream.connect;

import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.InvalidSettingException;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingValues;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The connector's entries for spec {@link Setting}s: one {@code ConfigDef} key per setting, spelled
 * as {@link Host#CONNECT} spells it, whose validator is the spec's check, and the way back from a
 * parsed config to the spec's {@link SettingValues}.
 */
final class ConnectSettings {

    private ConnectSettings() {}

    /** Defines every setting, grouped by its section, in declaration order. */
    static void define(ConfigDef def, List<Setting<?>> settings) {
        Map<String, Integer> order = new java.util.HashMap<>();
        for (Setting<?> s : settings) {
            int position = order.merge(s.section(), 1, Integer::sum);
            def.define(Host.CONNECT.name(s), type(s), connectDefault(s), validator(s), importance(s),
                    Host.CONNECT.documentation(s), s.section(), position, width(s), displayName(s),
                    s.type().words().isEmpty() ? null : Validators.recommend(s.type().words().toArray(String[]::new)));
        }
    }

    /** The spec's values of a parsed config (as the config's getters would return them). */
    static SettingValues values(List<Setting<?>> settings, Function<String, Object> config) {
        return SettingValues.resolve(Host.CONNECT, settings, s -> toSpec(s, config.apply(Host.CONNECT.name(s))));
    }

    private static Type type(Setting<?> s) {
        return switch (s.type().kind()) {
            case INT, SIZE -> Type.INT;
            case LONG, DURATION -> Type.LONG;
            case DOUBLE -> Type.DOUBLE;
            case BOOLEAN -> Type.BOOLEAN;
            case STRING, WORD -> Type.STRING;
            case LIST -> Type.LIST;
        };
    }

    /** Connect's form of the default: durations in ms, absent text as "", absent numbers as null (optional). */
    private static Object connectDefault(Setting<?> s) {
        Object value = s.defaultValue();
        return switch (s.type().kind()) {
            case DURATION -> value == null ? null : ((Duration) value).toMillis();
            case STRING, WORD -> value == null ? "" : value;
            case LIST -> value == null ? List.of() : value;
            default -> value;
        };
    }

    private static Object toSpec(Setting<?> s, Object value) {
        return switch (s.type().kind()) {
            case DURATION -> value == null ? null : Duration.ofMillis(((Number) value).longValue());
            default -> value;
        };
    }

    private static ConfigDef.Validator validator(Setting<?> s) {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                s.value(Host.CONNECT, toSpec(s, value));
            } catch (InvalidSettingException e) {
                throw new ConfigException(name, value, e.reason());
            }
        }, () -> s.type().expected());
    }

    private static Importance importance(Setting<?> s) {
        return Importance.valueOf(s.importance().name());
    }

    private static Width width(Setting<?> s) {
        return switch (s.type().kind()) {
            case LIST, STRING -> Width.LONG;
            default -> Width.SHORT;
        };
    }

    /** "ring.block-size" reads "Ring block size". */
    private static String displayName(Setting<?> s) {
        String words = s.name().replace('.', ' ').replace('-', ' ');
        return words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }
}
