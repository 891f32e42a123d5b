package dev.capstream.flink.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's Flink examples are this module's code, word for word: each {@code // [readme:NAME]}
 * region of the example sources is a {@code java} block of the README, the SQL example is
 * {@code capture-counts.sql}, and every {@code flink run -c CLASS} line names a class of the jar.
 * So what the README shows is what the build compiles and the ITs run.
 */
class ReadmeExamplesTest {

    private static final Pattern REGION = Pattern.compile(
            "[ \\t]*// \\[readme:([a-z-]+)]\\n(.*?)[ \\t]*// \\[/readme:\\1]", Pattern.DOTALL);

    private static String readme() throws IOException {
        return Files.readString(Path.of(System.getProperty("capstream.readme")));
    }

    private static Path sources() {
        return Path.of(System.getProperty("capstream.examples.sources"));
    }

    static Map<String, String> regions() throws IOException {
        Map<String, String> regions = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(sources().resolve("java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = REGION.matcher(Files.readString(file));
                while (m.find()) {
                    regions.put(m.group(1), dedent(m.group(2)));
                }
            }
        }
        return regions;
    }

    /** The lines without the indentation they all share (String.stripIndent counts the empty last line). */
    static String dedent(String code) {
        List<String> lines = code.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder out = new StringBuilder();
        lines.forEach(l -> out.append(l.isBlank() ? "" : l.substring(indent)).append('\n'));
        return out.toString();
    }

    @Test
    void everyReadmeRegionOfTheExampleSourcesIsAJavaBlockOfTheReadme() throws IOException {
        Map<String, String> regions = regions();
        assertThat(regions).containsOnlyKeys("live-source", "counts", "kafka-sink");
        String readme = readme();
        regions.forEach((name, code) -> assertThat(readme)
                .as("README quotes region '%s' verbatim", name)
                .contains("```java\n" + code + "```\n"));
    }

    @Test
    void theReadmeSqlExampleIsTheFileTheTestsRun() throws IOException {
        String sql = Files.readString(sources().resolve("resources/capture-counts.sql"));
        assertThat(readme()).contains("```sql\n" + sql + "```\n");
    }

    @Test
    void everyFlinkRunLineNamesAMainClassOfTheJobJar() throws Exception {
        String readme = readme();
        String flinkSection = readme.substring(readme.indexOf("\n## Flink\n"), readme.indexOf("\n## Deploy\n"));
        Matcher m = Pattern.compile("flink run -c ([\\w.]+) (\\S+)").matcher(flinkSection);
        List<String> classes = new ArrayList<>();
        while (m.find()) {
            classes.add(m.group(1));
            assertThat(m.group(2)).as("the job jar").contains("flink-examples-");
        }
        assertThat(classes).contains(CaptureCountsJob.class.getName(), CaptureToKafkaJob.class.getName());
        for (String name : classes) {
            assertThat(Class.forName(name).getMethod("main", String[].class)).isNotNull();
        }
    }
}
