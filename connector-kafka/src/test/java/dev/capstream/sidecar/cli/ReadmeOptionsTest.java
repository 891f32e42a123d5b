package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The README's options table is the sidecar's documentation: it names every option, and only real ones. */
class ReadmeOptionsTest {

    private static final Path README = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
    private static final Pattern TABLE_OPTION = Pattern.compile("^\\| `(--[a-z0-9-]+)");

    @Test
    void everyOptionOfTheCaptureCommandsIsInTheReadmeTableAndNothingElse() throws IOException {
        Set<String> documented = documentedOptions();
        Set<String> real = new TreeSet<>();
        CommandLine cli = Main.commandLine();
        for (String command : new String[] {"capture", "replay"}) {
            for (OptionSpec o : cli.getSubcommands().get(command).getCommandSpec().options()) {
                if (!o.usageHelp() && !o.versionHelp()) {
                    real.add(o.longestName());
                }
            }
        }
        assertThat(real).as("options missing from README's sidecar options table").isSubsetOf(documented);
        assertThat(documented).as("README documents options that do not exist").isSubsetOf(real);
    }

    @Test
    void theCaptureOptionsTableIsGeneratedFromTheCaptureSpec() throws IOException {
        String table = captureOptionsTable();
        assertThat(Files.readString(README)).as("README's sidecar capture options table differs from the spec; paste:%n%s",
                table).contains(table);
    }

    /** The table of the capture options, as {@code capture} has them (the AF_PACKET and RDMA settings). */
    static String captureOptionsTable() {
        List<String> rows = new ArrayList<>();
        rows.add("| option | default | what |");
        rows.add("|---|---|---|");
        for (Setting<?> s : new CaptureCommand().captureOptions().settings()) {
            String name = Host.SIDECAR.name(s);
            String option;
            String shown = s.shownDefault();
            if (s.type().kind() == ValueType.Kind.BOOLEAN) {
                boolean on = Boolean.TRUE.equals(s.defaultValue());
                option = on ? "`" + name + "`, `--no-" + name.substring(2) + "`" : "`" + name + "`";
                shown = on ? "on" : "off";
            } else {
                option = "`" + name + " " + s.label() + "`";
            }
            rows.add("| " + option + " | " + shown + " | " + Host.SIDECAR.documentation(s).replace("|", "\\|") + " |");
        }
        return String.join("\n", rows);
    }

    private static Set<String> documentedOptions() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("### Options");
        assertThat(start).as("README has an '### Options' section").isNotNegative();
        int end = readme.indexOf("\n#", start + 5);
        Set<String> options = new TreeSet<>();
        for (String line : readme.substring(start, end < 0 ? readme.length() : end).lines().toList()) {
            Matcher m = TABLE_OPTION.matcher(line);
            if (m.find()) {
                options.add(m.group(1));
            }
        }
        return options;
    }
}
