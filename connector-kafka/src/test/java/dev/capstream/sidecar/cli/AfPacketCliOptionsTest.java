package dev.capstream.sidecar.cli;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.CaptureFilter;
import dev.capstream.capture.afpacket.FanoutMode;
import dev.capstream.capture.afpacket.TimestampMode;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AfPacketCliOptionsTest {

    private static AfPacketCliOptions parse(String... args) {
        CaptureCommand command = new CaptureCommand();
        new CommandLine(command).parseArgs(args);
        return command.capture;
    }

    @Test
    void everyInterfaceGetsOneSplitPerFanoutMemberAndIfColonNOverridesTheCount() {
        AfPacketCliOptions o = parse("--topic", "t", "--interface", "eth0", "--interface", "eth1:3", "--fanout-members", "2");
        assertThat(o.splits()).containsExactly(
                new SplitAddress.AfPacket("eth0", 0, 2), new SplitAddress.AfPacket("eth0", 1, 2),
                new SplitAddress.AfPacket("eth1", 0, 3), new SplitAddress.AfPacket("eth1", 1, 3),
                new SplitAddress.AfPacket("eth1", 2, 3));
    }

    @Test
    void optionsBecomeOneAfPacketOptionsRecord() {
        AfPacketOptions o = parse("--topic", "t", "--interface", "eth0", "--fanout-mode", "lb", "--no-fanout-defrag",
                "--fanout-rollover", "--fanout-group", "77", "--filter", "udp port 53", "--snaplen", "128", "--promisc",
                "--no-vlan-restore", "--ring-block-size", "256K", "--ring-blocks", "16", "--ring-block-timeout", "50",
                "--timestamps", "hardware").options();
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
    void defaultsAreTheEnginesDefaults() {
        assertThat(parse("--topic", "t", "--interface", "eth0").options()).isEqualTo(AfPacketOptions.defaults());
    }

    @Test
    void badValuesSayWhichOptionAndWhatIsAccepted() {
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0:x").splits())
                .hasMessage("--interface eth0:x: the part after ':' must be the number of fanout members, e.g. eth0:4");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--interface", "eth0:2").splits())
                .hasMessageContaining("--interface eth0 is given twice");
        assertThatThrownBy(() -> parse("--topic", "t").splits())
                .hasMessageStartingWith("no --interface given");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--ring-block-size", "lots").options())
                .hasMessage("--ring-block-size lots is not a size in bytes: use e.g. 4096, 256K or 1M");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--ring-block-size", "3000").options())
                .hasMessageStartingWith("--ring-block-size/--ring-blocks/--ring-block-timeout: ring block size 3000 bytes is not a power of two");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--fanout-mode", "fast").options())
                .hasMessageStartingWith("fanout mode 'fast' is not one of hash, lb, cpu, rnd, qm");
        assertThatThrownBy(() -> parse("--topic", "t", "--interface", "eth0", "--filter", "ip", "--filter-bpf", "1,6 0 0 0").options())
                .hasMessage("--filter and --filter-bpf both given: use one");
    }
}
