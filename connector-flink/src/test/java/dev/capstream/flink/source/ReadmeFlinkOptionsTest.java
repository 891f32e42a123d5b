package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/**
 * README's Flink options table is generated from the source's {@code ConfigOption}s: its own
 * (hosts, files, pacing) and the capture spec's. The failure message prints the table to paste.
 */
class ReadmeFlinkOptionsTest {

    private static final Path README = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");

    @Test
    void theOptionsTableIsTheSourcesConfigOptions() throws IOException {
        String readme = Files.readString(README);
        int flink = readme.indexOf("\n## Flink");
        assertThat(flink).as("README has a '## Flink' section").isNotNegative();
        int end = readme.indexOf("\n## ", flink + 3);
        String section = end < 0 ? readme.substring(flink) : readme.substring(flink, end);
        String table = optionsTable();
        assertThat(section).as("README's Flink options table differs from CaptureSourceOptions; paste:%n%s", table)
                .contains(table);
    }

    static String optionsTable() {
        List<String> rows = new ArrayList<>();
        rows.add("| key | default | meaning |");
        rows.add("|---|---|---|");
        for (ConfigOption<?> option : CaptureSourceOptions.all()) {
            rows.add("| `" + option.key() + "` | " + shownDefault(option) + " | "
                    + text(option).replace("|", "\\|") + " |");
        }
        return String.join("\n", rows);
    }

    private static String shownDefault(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "-";
        }
        Object value = option.defaultValue();
        return value instanceof Duration d ? TimeUtils.formatWithHighestUnit(d) : String.valueOf(value);
    }

    private static String text(ConfigOption<?> option) {
        return option.description().getBlocks().stream()
                .map(block -> block instanceof TextElement t ? t.getFormat() : block.toString())
                .reduce("", String::concat);
    }
}
