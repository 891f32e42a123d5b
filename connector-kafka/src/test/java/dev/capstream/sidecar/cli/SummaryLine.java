package dev.capstream.sidecar.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the {@code key=value} summary line a capture run prints, as a user's script would. */
record SummaryLine(Map<String, String> values) {

    static SummaryLine find(String output) {
        return find(output, "result=");
    }

    /** The last line starting with {@code prefix} (e.g. bench-capture's {@code captured=}). */
    static SummaryLine find(String output, String prefix) {
        String line = output.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no summary line (" + prefix + "...) in output:\n" + output));
        Map<String, String> values = new LinkedHashMap<>();
        for (String token : line.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                values.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return new SummaryLine(values);
    }

    long number(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new AssertionError("summary line has no " + key + "=: " + values);
        }
        return Long.parseLong(v);
    }

    String text(String key) {
        return values.get(key);
    }
}
