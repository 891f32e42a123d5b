package dev.capstream.capture.spec;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One option, described once: its name, type, default, check and documentation, and the split
 * kinds it applies to. Hosts make their own option from it (a picocli option, a Connect
 * {@code ConfigDef} entry, a Flink {@code ConfigOption}) and hand the values they read back to
 * {@link SettingValues}, which parses and checks them here, so every host accepts the same values
 * and refuses the others with the same reason.
 *
 * <p>Declare one with {@link #builder}; it joins its {@link Family} when built.
 *
 * @param <T> the value's Java type
 */
public final class Setting<T> {

    /** How prominently a host shows the setting (Connect's importance). */
    public enum Importance { HIGH, MEDIUM, LOW }

    private final Family family;
    private final String name;
    private final ValueType<T> type;
    private final T defaultValue;
    private final String shownDefault;
    private final String label;
    private final String doc;
    private final Set<SplitKind> kinds;
    private final Consumer<T> check;
    private final String section;
    private final Importance importance;
    private final String repeatedAs;
    private final Map<Host, String> notes;

    private Setting(Builder<T> b) {
        this.family = b.family;
        this.name = b.name;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.shownDefault = b.shownDefault;
        this.label = b.label;
        this.doc = Objects.requireNonNull(b.doc, "doc of " + b.name);
        this.kinds = Set.copyOf(b.kinds);
        this.check = b.check;
        this.section = Objects.requireNonNull(b.section, "section of " + b.name);
        this.importance = b.importance;
        this.repeatedAs = b.repeatedAs == null ? b.name : b.repeatedAs;
        this.notes = Map.copyOf(b.notes);
    }

    /**
     * Starts a setting's declaration.
     *
     * @param name Flink's spelling ({@code ring.block-size}): dots between parts, dashes inside
     *     words; {@link Host} derives the other hosts' spellings from it
     */
    public static <T> Builder<T> builder(Family family, String name, ValueType<T> type) {
        return new Builder<>(family, name, type);
    }

    public Family family() {
        return family;
    }

    public String name() {
        return name;
    }

    public ValueType<T> type() {
        return type;
    }

    /** The value when none is given; null when the setting is simply absent by default. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as documentation shows it: the given words, the formatted default, or empty. */
    public String shownDefault() {
        if (shownDefault != null) {
            return shownDefault;
        }
        return defaultValue == null ? "" : type.format(defaultValue);
    }

    /** The value's placeholder in usage text, e.g. {@code BYTES}. */
    public String label() {
        return label;
    }

    /** Host-neutral documentation; {@code {other-setting}} references are spelled per host by {@link Host#documentation}. */
    public String doc() {
        return doc;
    }

    /** The split kinds the setting applies to; empty for settings that are not about capture. */
    public Set<SplitKind> kinds() {
        return kinds;
    }

    /** A heading that groups settings (Connect's group). */
    public String section() {
        return section;
    }

    public Importance importance() {
        return importance;
    }

    /** The singular under which a command line repeats a list setting ({@code interface} for {@code interfaces}). */
    public String repeatedAs() {
        return repeatedAs;
    }

    /** What a host adds to the documentation (how it splits work, say); null if nothing. */
    public String note(Host host) {
        return notes.get(host);
    }

    /**
     * The value of what a host read: null or blank text means not given (the default); text is
     * parsed; a value of the type's Java type is taken as is. Then the value is checked.
     *
     * @throws InvalidSettingException naming the setting as {@code host} spells it
     */
    public T value(Host host, Object raw) {
        if (raw == null || raw instanceof String text && text.isBlank()) {
            return defaultValue;
        }
        T value;
        try {
            value = type.coerce(raw);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(host, host.name(this), describe(raw), e.getMessage(), e);
        }
        check(host, value);
        return value;
    }

    /** Checks a value of the right type. */
    public void check(Host host, T value) {
        if (check == null || value == null) {
            return;
        }
        try {
            check.accept(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(host, host.name(this), describe(value), e.getMessage(), e);
        }
    }

    private String describe(Object raw) {
        if (raw instanceof String s) {
            return s;
        }
        @SuppressWarnings("unchecked")
        T value = raw != null && type.javaType().isInstance(raw) ? (T) raw : null;
        return value != null ? type.format(value) : String.valueOf(raw);
    }

    @Override
    public String toString() {
        return family + " setting " + name;
    }

    /** Declares a {@link Setting}; {@link #build()} adds it to its family. */
    public static final class Builder<T> {
        private final Family family;
        private final String name;
        private final ValueType<T> type;
        private T defaultValue;
        private String shownDefault;
        private String label = "VALUE";
        private String doc;
        private final Set<SplitKind> kinds = EnumSet.noneOf(SplitKind.class);
        private Consumer<T> check;
        private String section;
        private Importance importance = Importance.MEDIUM;
        private String repeatedAs;
        private final Map<Host, String> notes = new EnumMap<>(Host.class);

        private Builder(Family family, String name, ValueType<T> type) {
            if (!name.matches("[a-z0-9]+([.-][a-z0-9]+)*")) {
                throw new IllegalArgumentException("setting name '" + name + "' is not lower-case words joined by '.' or '-'");
            }
            this.family = family;
            this.name = name;
            this.type = type;
        }

        public Builder<T> defaultValue(T value) {
            this.defaultValue = value;
            return this;
        }

        /** Words documentation shows for the default, e.g. "kernel-picked", instead of the formatted value. */
        public Builder<T> shownDefault(String words) {
            this.shownDefault = words;
            return this;
        }

        public Builder<T> label(String label) {
            this.label = label;
            return this;
        }

        public Builder<T> doc(String doc) {
            this.doc = doc;
            return this;
        }

        public Builder<T> appliesTo(SplitKind first, SplitKind... more) {
            kinds.add(first);
            kinds.addAll(Set.of(more));
            return this;
        }

        /**
         * The check of a parsed value: throws IllegalArgumentException whose message says what is
         * wrong and what is accepted, without naming the setting (the host does), e.g.
         * "out of range: need 1 to 256". Checks may call the capture layer's own constructors.
         */
        public Builder<T> check(Consumer<T> check) {
            this.check = check;
            return this;
        }

        public Builder<T> section(String section) {
            this.section = section;
            return this;
        }

        public Builder<T> importance(Importance importance) {
            this.importance = importance;
            return this;
        }

        public Builder<T> repeatedAs(String singular) {
            this.repeatedAs = singular;
            return this;
        }

        public Builder<T> note(Host host, String note) {
            notes.put(host, note);
            return this;
        }

        public Setting<T> build() {
            Setting<T> setting = new Setting<>(this);
            if (defaultValue != null) {
                setting.check(Host.FLINK, defaultValue);
            }
            family.add(setting);
            return setting;
        }
    }
}
