package dev.capstream.capture;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitAddressTest {

    @Test
    void plainInterfaceParsesToASingleMember() {
        assertThat(SplitAddress.parse("afpacket:eth0")).isEqualTo(new SplitAddress.AfPacket("eth0", 0, 1));
        assertThat(SplitAddress.AfPacket.of("eth0").toString()).isEqualTo("afpacket:eth0");
    }

    @Test
    void fanoutMemberParsesIndexAndCount() {
        assertThat(SplitAddress.parse("afpacket:eth0#1/4")).isEqualTo(new SplitAddress.AfPacket("eth0", 1, 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"afpacket:eth0", "afpacket:eth0#0/2", "afpacket:eth0#3/4", "afpacket:lo",
            "afpacket:abcdefghijklmno", "afpacket:veth-a.b_c#7/8"})
    void stringFormRoundTrips(String text) {
        SplitAddress a = SplitAddress.parse(text);
        assertThat(a.toString()).isEqualTo(text);
        assertThat(SplitAddress.parse(a.toString())).isEqualTo(a);
        assertThat(a.id()).isEqualTo(text);
    }

    @Test
    void afXdpAddressNamesInterfaceAndQueueWithQueueZeroByDefault() {
        assertThat(SplitAddress.parse("afxdp:eth0")).isEqualTo(new SplitAddress.AfXdp("eth0", 0));
        assertThat(SplitAddress.parse("afxdp:eth0:3")).isEqualTo(new SplitAddress.AfXdp("eth0", 3));
        assertThat(SplitAddress.parse("afxdp:eth0:3").toString()).isEqualTo("afxdp:eth0:3");
        assertThat(SplitAddress.parse(new SplitAddress.AfXdp("veth-a.b", 1).toString()))
                .isEqualTo(new SplitAddress.AfXdp("veth-a.b", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"afxdp:eth0:x", "afxdp:eth0:-1", "afxdp:", "afxdp:abcdefghijklmnop:0"})
    void badAfXdpAddressesSayWhatIsWrong(String text) {
        assertThatThrownBy(() -> SplitAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*(bad queue: expected afxdp:IFACE or afxdp:IFACE:QUEUE|queue -1 is negative"
                        + "|interface name is empty|longer than Linux allows).*");
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(SplitAddress.parse("  afpacket:eth0#0/2\n")).isEqualTo(new SplitAddress.AfPacket("eth0", 0, 2));
    }

    @Test
    void oneMemberOfOneIsWrittenWithoutTheFanoutPart() {
        assertThat(new SplitAddress.AfPacket("eth0", 0, 1).toString()).isEqualTo("afpacket:eth0");
        assertThat(SplitAddress.parse("afpacket:eth0#0/1").toString()).isEqualTo("afpacket:eth0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth0", "", "AFPACKET:eth0", "file:/tmp/x.pcap"})
    void unknownKindsNameTheExpectedForms(String text) {
        assertThatThrownBy(() -> SplitAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not understood: expected afpacket:IFACE[#MEMBER/MEMBERS], afxdp:IFACE[:QUEUE],"
                        + " rdma:DEVICE[:PORT] or pcap:PATH");
    }

    @Test
    void rdmaAddressesDefaultToPortOneAsLibpcapDoes() {
        assertThat(SplitAddress.parse("rdma:mlx5_0")).isEqualTo(new SplitAddress.Rdma("mlx5_0", 1));
        assertThat(SplitAddress.parse("rdma:mlx5_0:2")).isEqualTo(new SplitAddress.Rdma("mlx5_0", 2));
        assertThat(SplitAddress.parse("rdma:mlx5_0:2").toString()).isEqualTo("rdma:mlx5_0:2");
        assertThatThrownBy(() -> SplitAddress.parse("rdma:mlx5_0:x")).hasMessageContaining("e.g. rdma:mlx5_0:1");
        assertThatThrownBy(() -> SplitAddress.parse("rdma:mlx5_0:0")).hasMessageContaining("numbered from 1");
    }

    @Test
    void pcapAddressesKeepThePath() {
        SplitAddress a = SplitAddress.parse("pcap:/tmp/x y.pcapng");
        assertThat(a).isEqualTo(new SplitAddress.PcapFile(java.nio.file.Path.of("/tmp/x y.pcapng")));
        assertThat(SplitAddress.parse(a.toString())).isEqualTo(a);
        assertThatThrownBy(() -> SplitAddress.parse("pcap:")).hasMessage("pcap file path is empty");
    }

    @Test
    void nullIsNotUnderstood() {
        assertThatThrownBy(() -> SplitAddress.parse(null)).hasMessageContaining("'null' is not understood");
    }

    @ParameterizedTest
    @ValueSource(strings = {"afpacket:eth0#1", "afpacket:eth0#a/b", "afpacket:eth0#1/2/3", "afpacket:eth0#/2"})
    void badFanoutPartShowsAnExample(String text) {
        assertThatThrownBy(() -> SplitAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a bad fanout member")
                .hasMessageContaining("e.g. afpacket:eth0#0/2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"afpacket:eth0#4/4", "afpacket:eth0#-1/4", "afpacket:eth0#0/0"})
    void memberOutOfRangeIsRefused(String text) {
        assertThatThrownBy(() -> SplitAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range: need 0 <= member < members");
    }

    @Test
    void emptyInterfaceIsRefused() {
        assertThatThrownBy(() -> SplitAddress.parse("afpacket:")).hasMessage("interface name is empty");
        assertThatThrownBy(() -> SplitAddress.parse("afpacket:#0/2")).hasMessage("interface name is empty");
    }

    @Test
    void interfaceNameLongerThanLinuxAllowsIsRefused() {
        assertThatThrownBy(() -> SplitAddress.parse("afpacket:abcdefghijklmnop"))
                .hasMessageContaining("longer than Linux allows (15 characters)");
    }
}
