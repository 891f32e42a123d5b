package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input that used to slip through or drown in usage text: each is refused with one line that
 * names the option and the fix, and exit code 2; the usage is printed only on --help. None of these
 * reach a broker (the bootstrap address is a closed port).
 */
class BadInputTest {

    private static final String NO_BROKER = "127.0.0.1:1";

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        long errorLines() {
            return err.lines().filter(l -> !l.isBlank()).count();
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aBadNumberIsOneLineThatPointsAtHelpWithoutTheUsage() {
        Run r = run("replay", "--pcap", "x.pcap", "--topic", "t", "--stats-interval", "abc");
        assertThat(r.exit).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.errorLines()).as(r.err).isEqualTo(1);
        assertThat(r.err).contains("capstream replay: ").contains("--stats-interval").contains("'abc'")
                .contains("see `capstream replay --help`").doesNotContain("Usage:");
        assertThat(r.out).isEmpty();
    }

    @Test
    void anUnknownConfigKeyIsOneLineThatPointsAtHelpWithoutTheUsage() throws Exception {
        Path config = dir.resolve("c.properties");
        Files.writeString(config, "topic=frames\ntopci=typo\n");
        Run r = run("replay", "--pcap", "x.pcap", "--config", config.toString());
        assertThat(r.exit).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.errorLines()).as(r.err).isEqualTo(1);
        assertThat(r.err).contains("topci is not an option").contains("see `capstream replay --help`")
                .doesNotContain("Usage:");
    }

    @Test
    void theUsageIsPrintedOnHelp() {
        Run r = run("replay", "--help");
        assertThat(r.exit).isZero();
        assertThat(r.out).contains("Usage:").contains("--record-timestamp");
    }

    @Test
    void aConfigFileThatIsNotUtf8SaysSoInsteadOfInputLength() throws Exception {
        Path config = dir.resolve("latin1.properties");
        Files.write(config, new byte[] {'t', 'o', 'p', 'i', 'c', '=', (byte) 0xE9, '\n'});
        Run r = run("replay", "--pcap", "x.pcap", "--config", config.toString());
        assertThat(r.exit).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err).contains("--config " + config + " is not UTF-8 text").doesNotContain("Input length");
    }

    @Test
    void anUnknownSubjectStrategyIsRefusedEvenWithoutARegistry() {
        Run r = run("export", "--topic", "t", "--output", dir.resolve("x.pcapng").toString(),
                "--bootstrap-servers", NO_BROKER, "--subject-strategy", "foo");
        assertThat(r.exit).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err).contains("--subject-strategy").contains("'foo' is not known")
                .contains("see `capstream export --help`");
    }

    @Test
    void exportIntoAMissingDirectoryNamesTheDirectory() {
        Run r = run("export", "--topic", "t", "--output", "/cs14-missing/x.pcapng", "--bootstrap-servers", NO_BROKER);
        assertThat(r.exit).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err).contains("--output /cs14-missing/x.pcapng: directory /cs14-missing does not exist");
        assertThat(r.errorLines()).isEqualTo(1);
    }

    @Test
    void replayErrorsAreReplaysNotCaptures() {
        Run r = run("replay", "--pcap", dir.resolve("none.pcap").toString(), "--topic", "t",
                "--bootstrap-servers", NO_BROKER, "--record-timestamp", "later");
        assertThat(r.exit).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err).startsWith("capstream replay: --record-timestamp later: allowed values are send, capture")
                .doesNotContain("capstream capture");
    }
}
