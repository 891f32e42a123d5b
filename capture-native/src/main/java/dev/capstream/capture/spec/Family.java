package dev.capstream.capture.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A set of {@link Setting}s declared together (the capture options; later e.g. the registry's),
 * with what a host puts before their names: Connect keys of the capture family start with
 * {@code capture.}. The family knows its settings in declaration order, which is the order hosts
 * list them in (help, ConfigDef, README tables).
 */
public final class Family {

    private final String title;
    private final String connectPrefix;
    private final List<Setting<?>> settings = new ArrayList<>();

    /**
     * @param title what the settings are, for messages and headings, e.g. "capture"
     * @param connectPrefix put before every Connect key, e.g. {@code capture.}; may be empty
     */
    public Family(String title, String connectPrefix) {
        this.title = title;
        this.connectPrefix = connectPrefix;
    }

    public String title() {
        return title;
    }

    public String connectPrefix() {
        return connectPrefix;
    }

    /** Every setting of the family, in declaration order. */
    public List<Setting<?>> settings() {
        return Collections.unmodifiableList(settings);
    }

    /** The settings that apply to a split kind, in declaration order. */
    public List<Setting<?>> settingsFor(SplitKind kind) {
        return settings.stream().filter(s -> s.kinds().contains(kind)).toList();
    }

    public Optional<Setting<?>> find(String name) {
        return settings.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    synchronized void add(Setting<?> setting) {
        if (find(setting.name()).isPresent()) {
            throw new IllegalStateException(title + " setting " + setting.name() + " is declared twice");
        }
        settings.add(setting);
    }

    @Override
    public String toString() {
        return title;
    }
}
