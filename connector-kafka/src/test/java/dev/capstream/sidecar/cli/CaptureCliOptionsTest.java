package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.CaptureFilter;
import dev.capstream.capture.afpacket.FanoutMode;
import dev.capstream.capture.afpacket.TimestampMode;
import dev.capstream.capture.rdma.RdmaConfig;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.InvalidSettingException;
import dev.capstream.capture.spec.ReaderOptions;
import dev.capstream.capture.spec.SettingValues;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The sidecar's capture options are the spec's: same flags as before, checked by the spec, reaching the readers' options. */
class CaptureCliOptionsTest {

    /** Parses as the sidecar does; a value the spec refuses while parsing is thrown as the spec's exception. */
    private static SettingValues parse(String... args) {
        CaptureCommand command = new CaptureCommand();
        try {
            new CommandLine(command).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            if (e.getCause() != null && e.getCause().getCause() instanceof InvalidSettingException invalid) {
                throw invalid;
            }
            throw e;
        }
        return command.capture.values();
    }

    private static ReaderOptions reader(String... args) {
        return CaptureSettings.readerOptions(parse(args));
    }

    @Test
    void everyInterfaceGetsOneSplitPerFanoutMemberAndIfColonNOverridesTheCount() {
        SettingValues v = parse("--topic", "t", "--interface", "eth0", "--interface", "eth1:3", "--fanout-members", "2",
                "--rdma", "mlx5_0:2");
        assertThat(CaptureSettings.splits(v)).containsExactly(
                new SplitAddress.AfPacket("eth0", 0, 2), new SplitAddress.AfPacket("eth0", 1, 2),
                new SplitAddress.AfPacket("eth1", 0, 3), new SplitAddress.AfPacket("eth1", 1, 3),
                new SplitAddress.AfPacket("eth1", 2, 3), new SplitAddress.Rdma("mlx5_0", 2));
    }

    @Test
    void optionsBecomeOneAfPacketOptionsRecord() {
        AfPacketOptions o = reader("--topic", "t", "--interface", "eth0", "--fanout-mode", "lb", "--no-fanout-defrag",
                "--fanout-rollover", "--fanout-group", "77", "--filter", "udp port 53", "--snaplen", "128", "--promisc",
                "--no-vlan-restore", "--ring-block-size", "256K", "--ring-blocks", "16", "--ring-block-timeout", "50",
                "--timestamps", "hardware").afPacket();
        assertThat(o.fanoutMode()).isEqualTo(FanoutMode.LB);
        assertThat(o.fanoutDefrag()).isFalse();
        assertThat(o.fanoutRollover()).isTrue();
        assertThat(o.fanoutGroupId()).isEqualTo(77);
        assertThat(o.filter()).isEqualTo(new CaptureFilter.Expression("udp port 53"));
        assertThat(o.snaplen()).isEqualTo(128);
        assertThat(o.promiscuous()).isTrue();
        assertThat(o.restoreVlan()).isFalse();
        assertThat(o.ring().blockSize()).isEqualTo(256 << 10);
        assertThat(o.ring().blockCount()).isEqualTo(16);
        assertThat(o.ring().blockTimeoutMillis()).isEqualTo(50);
        assertThat(o.timestamps()).isEqualTo(TimestampMode.HARDWARE);
    }

    @Test
    void afXdpOptionsBecomeOneSplitPerQueueAndTheAfXdpOptions() {
        SettingValues v = parse("--topic", "t", "--afxdp", "eth0", "--afxdp", "eth0:1", "--afxdp-ring-size", "8192",
                "--afxdp-frame-size", "4096", "--afxdp-bind-mode", "copy", "--afxdp-attach-mode", "skb",
                "--no-afxdp-need-wakeup", "--afxdp-batch-wait", "2ms", "--afxdp-timestamps", "system",
                "--filter", "udp port 53");
        assertThat(CaptureSettings.splits(v)).containsExactly(
                new SplitAddress.AfXdp("eth0", 0), new SplitAddress.AfXdp("eth0", 1));
        assertThat(CaptureSettings.readerOptions(v).afXdp()).isEqualTo(new dev.capstream.capture.xdp.AfXdpOptions(
                8192, 4096, dev.capstream.capture.xdp.XdpBindMode.COPY, dev.capstream.capture.xdp.XdpAttachMode.SKB,
                false, 2048, 2000, new dev.capstream.capture.afpacket.CaptureFilter.Expression("udp port 53"),
                dev.capstream.capture.xdp.XdpTimestamps.SYSTEM));
        assertThatThrownBy(() -> parse("--topic", "t", "--afxdp", "eth0", "--afxdp-ring-size", "1000"))
                .hasMessageContaining("--afxdp-ring-size 1000").hasMessageContaining("power of two");
    }

    @Test
    void rdmaOptionsBecomeTheRdmaConfig() {
        assertThat(reader("--topic", "t", "--rdma", "mlx5_0", "--rdma-receive-buffers", "64", "--rdma-buffer-size",
                "2048", "--no-rdma-hardware-timestamps").rdma()).isEqualTo(new RdmaConfig(64, 2048, false));
    }

    @Test
    void defaultsAreTheEnginesDefaults() {
        assertThat(reader("--topic", "t", "--interface", "eth0")).isEqualTo(ReaderOptions.defaults());
    }

    @Test
    void badValuesSayWhichOptionAndWhatIsAccepted() {
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0:x"))
                .hasMessage("--interface eth0:x: 'eth0:x': the part after ':' must be the number of fanout members, e.g. eth0:4");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--interface", "eth0:2"))
                .hasMessageContaining("interface eth0 is named twice");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--ring-block-size", "lots"))
                .hasMessage("--ring-block-size lots: not a size in bytes (e.g. 4096, 256K or 1M)");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--ring-block-size", "3000"))
                .hasMessageStartingWith("--ring-block-size 3000: ring block size 3000 bytes is not a power of two");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--fanout-mode", "fast"))
                .hasMessage("--fanout-mode fast: not one of hash, lb, cpu, rnd, qm");
        assertThatThrownBy(() -> reader("--topic", "t", "--interface", "eth0", "--filter", "ip", "--filter-bpf", "1,6 0 0 0"))
                .hasMessage("--filter/--filter-bpf: both given: use one");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--fanout-members", "257"))
                .hasMessage("--fanout-members 257: out of range: need 1 to 256");
    }

    @Test
    void aFanoutGroupOfMinusOneIsRefusedLikeMinusTwoAnd70000() {
        for (String id : new String[] {"-1", "-2", "70000"}) {
            assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--fanout-group", id))
                    .hasMessage("--fanout-group " + id + ": out of range: need 0 to 65535, or leave it out for a group id"
                            + " picked for you");
        }
    }

    @Test
    void aBadCaptureOptionExitsTwoWithOneLineNamingIt() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "capture", "--topic", "t", "--interface", "eth0",
                "--fanout-group", "-1");
        assertThat(code).isEqualTo(Main.EXIT_SETUP);
        assertThat(err.toString().strip()).isEqualTo("capstream capture: --fanout-group -1: out of range: need 0 to"
                + " 65535, or leave it out for a group id picked for you; see `capstream capture --help`");
    }

    @Test
    void theConfigFileTakesTheSameKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "interface=eth0:2\nsnaplen=96\nvlan-restore=false\nring-block-size=64K\n");
        CaptureCommand command = new CaptureCommand();
        CommandLine cli = new CommandLine(command);
        cli.setDefaultValueProvider(ConfigFile.load(file.toString()));
        cli.parseArgs("--topic", "t", "--snaplen", "200");
        SettingValues v = command.capture.values();
        assertThat(CaptureSettings.interfaceSplits(v)).hasSize(2);
        AfPacketOptions o = CaptureSettings.afPacketOptions(v);
        assertThat(o.snaplen()).as("the command line overrides the file").isEqualTo(200);
        assertThat(o.restoreVlan()).isFalse();
        assertThat(o.ring().blockSize()).isEqualTo(64 << 10);
    }
}
