package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * README's "Kafka Connect" section documents the connector from its own definitions: the options
 * table is generated from the ConfigDef (the failure message prints it, ready to paste), and every
 * task metric is listed.
 */
class ReadmeConnectSectionTest {

    private static final Path README = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");

    @Test
    void theOptionsTableIsTheConfigDef() throws IOException {
        String section = section();
        String table = optionsTable();
        assertThat(section).as("README's Kafka Connect options table differs from the ConfigDef; paste:%n%s", table)
                .contains(table);
    }

    @Test
    void everyTaskMetricIsListed() throws IOException {
        String section = section();
        for (String[] metric : TaskMetrics.DESCRIPTIONS) {
            assertThat(section).as("metric %s", metric[0]).contains("| `" + metric[0] + "` | " + metric[1] + " |");
        }
    }

    private static String section() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("## Kafka Connect");
        assertThat(start).as("README has a '## Kafka Connect' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 3);
        return end < 0 ? readme.substring(start) : readme.substring(start, end);
    }

    static String optionsTable() {
        List<String> rows = new ArrayList<>();
        rows.add("| option | type | default | what |");
        rows.add("|---|---|---|---|");
        String group = null;
        for (ConfigDef.ConfigKey key : CaptureSourceConfig.configDef().configKeys().values()) {
            if (!key.group.equals(group)) {
                group = key.group;
                rows.add("| **" + group + "** | | | |");
            }
            String def = ConfigDef.NO_DEFAULT_VALUE.equals(key.defaultValue) ? "(required)"
                    : key.type == ConfigDef.Type.PASSWORD ? "" : ConfigDef.convertToString(key.defaultValue, key.type);
            rows.add("| `" + key.name + "` | " + key.type.name().toLowerCase(java.util.Locale.ROOT) + " | "
                    + (def == null || def.isEmpty() ? "" : "`" + def + "`") + " | " + key.documentation.replace("|", "\\|")
                    + " |");
        }
        return String.join("\n", rows);
    }
}
