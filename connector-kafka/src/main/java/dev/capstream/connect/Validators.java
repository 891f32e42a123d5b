package dev.capstream.connect;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.RingConfig;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Single-field validators of {@link CaptureSourceConfig}. Each reuses the parser the capture layer
 * uses at run time, so the worker's validate endpoint reports the same message a task would fail with.
 */
final class Validators {

    private Validators() {}

    /** Valid when the parser accepts the value; its message otherwise. */
    static ConfigDef.Validator parsed(Function<String, ?> parser) {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (value == null) {
                throw new ConfigException(name, null, "a value is required");
            }
            try {
                parser.apply(((String) value).strip());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }, () -> "see the documentation");
    }

    static ConfigDef.Validator blankOr(Function<String, ?> parser) {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (value == null || ((String) value).isBlank()) {
                return;
            }
            try {
                parser.apply(((String) value).strip());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }, () -> "empty, or see the documentation");
    }

    static ConfigDef.Validator blankPasswordOr(Function<String, ?> parser) {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String text = value == null ? "" : ((Password) value).value();
            if (text.isBlank()) {
                return;
            }
            try {
                parser.apply(text);
            } catch (IllegalArgumentException e) {
                // Never echo a secret: the message names the form expected, not the value.
                throw new ConfigException(name, value, "expected USER:PASSWORD");
            }
        }, () -> "empty or USER:PASSWORD");
    }

    /** One of these words, any case. */
    static ConfigDef.Validator oneOf(String... allowed) {
        List<String> words = List.of(allowed);
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String text = value == null ? "" : ((String) value).strip().toLowerCase(Locale.ROOT);
            if (!words.contains(text)) {
                throw new ConfigException(name, value, "must be one of " + String.join(", ", words));
            }
        }, () -> "one of " + String.join(", ", words));
    }

    static ConfigDef.Recommender recommend(String... values) {
        List<Object> list = List.of((Object[]) values);
        return new ConfigDef.Recommender() {
            @Override
            public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
                return list;
            }

            @Override
            public boolean visible(String name, Map<String, Object> parsedConfig) {
                return true;
            }
        };
    }

    static ConfigDef.Validator splitList() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            @SuppressWarnings("unchecked")
            List<String> items = (List<String>) value;
            Set<String> seen = new HashSet<>();
            for (String item : items) {
                SplitAddress split;
                try {
                    split = SplitAddress.parse(item);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
                if (!seen.add(split.id())) {
                    throw new ConfigException(name, value, "split " + split + " is listed twice");
                }
            }
        }, () -> "rdma:DEVICE[:PORT], pcap:PATH or afpacket:IF[#MEMBER/MEMBERS], comma-separated");
    }

    static ConfigDef.Validator httpUrlOrBlank() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String text = value == null ? "" : ((String) value).strip();
            if (text.isEmpty()) {
                return;
            }
            try {
                URI uri = URI.create(text);
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, "not an http(s) URL with a host, e.g. http://registry:8081");
            }
        }, () -> "empty, or an http(s) URL");
    }
}
