package dev.capstream.sidecar.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.capture.lab.TestFrames;
import dev.capstream.records.RecordDecoder;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FrameSummaryTest {

    private static RecordDecoder.DecodedFrame frame(byte[] data, int linkType, Integer vlanTci) {
        Instant ts = Instant.parse("2026-11-22T00:10:03.123456789Z");
        return new RecordDecoder.DecodedFrame(ts.getEpochSecond() * 1_000_000_000L + ts.getNano(), "SOFTWARE",
                "eth0", 2, linkType, data.length, data.length + 10, vlanTci == null ? -1 : 0x8100,
                vlanTci == null ? 0 : vlanTci, 0, 3, 7, data);
    }

    @Test
    void describesAnEthernetIpv4UdpFrame() {
        String line = FrameSummary.describe(frame(TestFrames.udp(100, 7), 1, null));
        assertThat(line).isEqualTo("2026-11-22T00:10:03.123456789Z eth0 seq=7 len=100/110 otherhost "
                + "02:63:73:00:00:01 > 02:63:73:00:00:02, IPv4 127.0.0.2.40000 > 127.0.0.3.9 UDP");
    }

    @Test
    void showsInlineVlanTagsAndTheMetadataTag() {
        byte[] tagged = TestFrames.udpWithVlan(104, 1, 0x2005);
        String line = FrameSummary.describe(frame(tagged, 1, 0x2005));
        assertThat(line).contains(" vlan=5 ").contains("802.1Q vid 5, IPv4 127.0.0.2.40000 > 127.0.0.3.9 UDP");
    }

    @Test
    void describesIpv6Tcp() {
        byte[] f = HexFormat.of().parseHex(
                "02000000000202000000000186dd"          // ethernet, IPv6
                + "6000000000140640"                    // version, payload 20, next TCP, hop 64
                + "00000000000000000000000000000001"    // ::1
                + "00000000000000000000000000000001"    // ::1
                + "c35000500000000000000000500200000000" // TCP 50000 > 80
                + "0000");
        assertThat(FrameSummary.describe(frame(f, 1, null))).endsWith("IPv6 0:0:0:0:0:0:0:1.50000 > 0:0:0:0:0:0:0:1.80 TCP");
    }

    @Test
    void saysWhenTheCapturedBytesEndInsideAHeader() {
        assertThat(FrameSummary.describe(frame(new byte[10], 1, null))).endsWith("[truncated ethernet header]");
        byte[] ethOnly = new byte[16];
        ethOnly[12] = 0x08;
        ethOnly[14] = 0x45;
        assertThat(FrameSummary.describe(frame(ethOnly, 1, null))).endsWith("[truncated or unknown IP version 4]");
    }
}
