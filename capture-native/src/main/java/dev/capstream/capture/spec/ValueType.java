package dev.capstream.capture.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The type of a {@link Setting}'s value: how text becomes the value and back, and which kind of
 * host option carries it. Hosts map each {@link Kind} onto their own types (a picocli string, a
 * Connect {@code Type.INT}, a Flink {@code MemorySize}), so a new setting of an existing type
 * needs nothing host-specific.
 *
 * @param <T> the value's Java type
 */
public final class ValueType<T> {

    /** What a host needs to know to carry the value. */
    public enum Kind {
        INT, LONG, DOUBLE, BOOLEAN, STRING,
        /** One of {@link #words()}, any case; the value is the word in lower case. */
        WORD,
        /** Comma-separated text, or a host's list; the value is the entries, stripped. */
        LIST,
        /** Bytes, with K/M/G suffixes in text; an {@code Integer}. */
        SIZE,
        /** A {@link Duration}; plain numbers in text are milliseconds. */
        DURATION
    }

    public static final ValueType<Integer> INT = new ValueType<>(Kind.INT, Integer.class, "a whole number",
            text -> Integer.valueOf(text.strip()), String::valueOf, List.of());
    public static final ValueType<Long> LONG = new ValueType<>(Kind.LONG, Long.class, "a whole number",
            text -> Long.valueOf(text.strip()), String::valueOf, List.of());
    public static final ValueType<Double> DOUBLE = new ValueType<>(Kind.DOUBLE, Double.class, "a number",
            text -> Double.valueOf(text.strip()), String::valueOf, List.of());
    public static final ValueType<Boolean> BOOLEAN = new ValueType<>(Kind.BOOLEAN, Boolean.class, "true or false",
            ValueType::parseBoolean, String::valueOf, List.of());
    public static final ValueType<String> STRING = new ValueType<>(Kind.STRING, String.class, "text",
            String::strip, Function.identity(), List.of());
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final ValueType<List<String>> LIST = new ValueType<>(Kind.LIST, (Class) List.class,
            "a comma-separated list", ValueType::parseList, list -> String.join(",", list), List.of());
    public static final ValueType<Integer> SIZE = new ValueType<>(Kind.SIZE, Integer.class,
            "a size in bytes (e.g. 4096, 256K or 1M)", ValueType::parseBytes, ValueType::formatBytes, List.of());
    public static final ValueType<Duration> DURATION = new ValueType<>(Kind.DURATION, Duration.class,
            "a duration (milliseconds, or e.g. 50ms, 2s)", ValueType::parseDuration, d -> d.toMillis() + "ms", List.of());

    private final Kind kind;
    private final Class<T> javaType;
    private final String expected;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;
    private final List<String> words;

    private ValueType(Kind kind, Class<T> javaType, String expected, Function<String, T> parser,
            Function<T, String> formatter, List<String> words) {
        this.kind = kind;
        this.javaType = javaType;
        this.expected = expected;
        this.parser = parser;
        this.formatter = formatter;
        this.words = List.copyOf(words);
    }

    /** One of these words (any case in text); the value is the word in lower case. */
    public static ValueType<String> word(String... allowed) {
        List<String> list = List.of(allowed);
        String expected = "one of " + String.join(", ", list);
        return new ValueType<>(Kind.WORD, String.class, expected, text -> {
            String w = text.strip().toLowerCase(Locale.ROOT);
            if (!list.contains(w)) {
                throw new IllegalArgumentException();
            }
            return w;
        }, Function.identity(), list);
    }

    public Kind kind() {
        return kind;
    }

    public Class<T> javaType() {
        return javaType;
    }

    /** What the text must look like, e.g. "a size in bytes (e.g. 4096, 256K or 1M)". */
    public String expected() {
        return expected;
    }

    /** The allowed words of a {@link Kind#WORD} type; empty otherwise. */
    public List<String> words() {
        return words;
    }

    /**
     * The value of a text, or of a host's value of this type's Java type.
     *
     * @throws IllegalArgumentException "not ..." saying what was expected (without the setting's name)
     */
    public T coerce(Object raw) {
        Objects.requireNonNull(raw, "raw");
        if (raw instanceof String text) {
            try {
                return parser.apply(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not " + expected, e);
            }
        }
        if (kind == Kind.LONG && raw instanceof Integer i) {
            return javaType.cast(Long.valueOf(i));
        }
        if (kind == Kind.LIST && raw instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            list.forEach(item -> out.addAll(parseList(String.valueOf(item))));
            @SuppressWarnings("unchecked")
            T value = (T) List.copyOf(out);
            return value;
        }
        if (kind == Kind.WORD) {
            return coerce(String.valueOf(raw));
        }
        return javaType.cast(raw);
    }

    /** The text form, which {@link #coerce} reads back. */
    public String format(T value) {
        return formatter.apply(value);
    }

    private static Boolean parseBoolean(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new IllegalArgumentException();
        };
    }

    private static List<String> parseList(String text) {
        List<String> out = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            if (!item.isBlank()) {
                out.add(item.strip());
            }
        }
        return List.copyOf(out);
    }

    static Integer parseBytes(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        long value = Long.parseLong(t.strip()) * unit;
        if (value <= 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException();
        }
        return (int) value;
    }

    static String formatBytes(Integer bytes) {
        if (bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "M";
        }
        return bytes % (1 << 10) == 0 ? (bytes >> 10) + "K" : String.valueOf(bytes);
    }

    private static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).strip()));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1).strip()) * 1000));
        }
        return Duration.ofMillis(Long.parseLong(t));
    }
}
