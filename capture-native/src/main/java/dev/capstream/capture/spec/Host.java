package dev.capstream.capture.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programs that take {@link Setting}s, and the one mapping from a setting's name to each
 * one's spelling. A setting's name is written the way Flink spells keys (dots between parts,
 * dashes inside words: {@code ring.block-size}); the sidecar turns dots into dashes
 * ({@code --ring-block-size}), Connect turns dashes into dots under the family's prefix and marks
 * durations as milliseconds ({@code capture.ring.block.timeout.ms}).
 */
public enum Host {

    /** The {@code capstream} command line and its {@code --config} file (keys without the dashes). */
    SIDECAR {
        @Override
        public String name(Setting<?> s) {
            return "--" + s.repeatedAs().replace('.', '-');
        }

        @Override
        String problem(String name, String value, String reason) {
            return value == null ? name + ": " + reason : name + " " + value + ": " + reason;
        }
    },

    /** The Kafka Connect source connector's {@code ConfigDef}. */
    CONNECT {
        @Override
        public String name(Setting<?> s) {
            String key = s.family().connectPrefix() + s.name().replace('-', '.');
            return s.type().kind() == ValueType.Kind.DURATION ? key + ".ms" : key;
        }

        @Override
        String problem(String name, String value, String reason) {
            return value == null ? name + ": " + reason
                    : "Invalid value " + value + " for configuration " + name + ": " + reason;
        }
    },

    /** The Flink source's {@code ConfigOption}s (builder and SQL {@code WITH} keys). */
    FLINK {
        @Override
        public String name(Setting<?> s) {
            return s.name();
        }

        @Override
        String problem(String name, String value, String reason) {
            return value == null ? "capture source: '" + name + "': " + reason
                    : "capture source: '" + name + "' = '" + value + "': " + reason;
        }
    };

    private static final Pattern REFERENCE = Pattern.compile("\\{([a-z0-9.-]+)}");

    /** The setting's name in this host. */
    public abstract String name(Setting<?> s);

    /** One line naming the setting as this host spells it, the value (null: a problem between settings) and what is wrong. */
    abstract String problem(String name, String value, String reason);

    /** A setting's documentation for this host: references like {@code {filter}} spelled as here, plus the host's note. */
    public String documentation(Setting<?> s) {
        String doc = resolve(s.family(), s.doc());
        String note = s.note(this);
        return note == null ? doc : doc + " " + resolve(s.family(), note);
    }

    /** Replaces {@code {name}} references to settings of the family with this host's spelling. */
    public String resolve(Family family, String text) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String spelled = family.find(name).map(this::name)
                    .orElseThrow(() -> new IllegalStateException("'" + text + "' refers to {" + name
                            + "}, which is no " + family + " setting"));
            m.appendReplacement(out, Matcher.quoteReplacement(spelled));
        }
        m.appendTail(out);
        return out.toString();
    }
}
