package dev.capstream.capture.ffi;

import java.lang.foreign.GroupLayout;

import org.junit.jupiter.api.Test;

import static dev.capstream.capture.ffi.StructLayouts.offsetOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The expected numbers come from a C probe compiled with gcc against the Linux UAPI headers
 * (sizeof/offsetof on x86-64, kernel headers 6.x); they are part of the kernel ABI and never change.
 */
class StructLayoutsTest {

    @Test
    void tpacketReq3MatchesTheKernelAbi() {
        GroupLayout l = StructLayouts.TPACKET_REQ3;
        assertThat(l.byteSize()).isEqualTo(28);
        assertThat(l.byteAlignment()).isEqualTo(4);
        assertThat(offsetOf(l, "tp_block_size")).isEqualTo(0);
        assertThat(offsetOf(l, "tp_block_nr")).isEqualTo(4);
        assertThat(offsetOf(l, "tp_frame_size")).isEqualTo(8);
        assertThat(offsetOf(l, "tp_frame_nr")).isEqualTo(12);
        assertThat(offsetOf(l, "tp_retire_blk_tov")).isEqualTo(16);
        assertThat(offsetOf(l, "tp_sizeof_priv")).isEqualTo(20);
        assertThat(offsetOf(l, "tp_feature_req_word")).isEqualTo(24);
    }

    @Test
    void sockaddrLlMatchesTheKernelAbi() {
        GroupLayout l = StructLayouts.SOCKADDR_LL;
        assertThat(l.byteSize()).isEqualTo(20);
        assertThat(l.byteAlignment()).isEqualTo(4);
        assertThat(offsetOf(l, "sll_family")).isEqualTo(0);
        assertThat(offsetOf(l, "sll_protocol")).isEqualTo(2);
        assertThat(offsetOf(l, "sll_ifindex")).isEqualTo(4);
        assertThat(offsetOf(l, "sll_hatype")).isEqualTo(8);
        assertThat(offsetOf(l, "sll_pkttype")).isEqualTo(10);
        assertThat(offsetOf(l, "sll_halen")).isEqualTo(11);
        assertThat(offsetOf(l, "sll_addr")).isEqualTo(12);
        assertThat(l.select(java.lang.foreign.MemoryLayout.PathElement.groupElement("sll_addr")).byteSize()).isEqualTo(8);
    }

    @Test
    void blockDescriptorWithItsV1HeaderMatchesTheKernelAbi() {
        GroupLayout ts = StructLayouts.TPACKET_BD_TS;
        assertThat(ts.byteSize()).isEqualTo(8);
        assertThat(offsetOf(ts, "ts_sec")).isEqualTo(0);
        assertThat(offsetOf(ts, "ts_nsec")).isEqualTo(4);

        GroupLayout h = StructLayouts.TPACKET_HDR_V1;
        assertThat(h.byteSize()).isEqualTo(40);
        assertThat(h.byteAlignment()).isEqualTo(8);
        assertThat(offsetOf(h, "block_status")).isEqualTo(0);
        assertThat(offsetOf(h, "num_pkts")).isEqualTo(4);
        assertThat(offsetOf(h, "offset_to_first_pkt")).isEqualTo(8);
        assertThat(offsetOf(h, "blk_len")).isEqualTo(12);
        assertThat(offsetOf(h, "seq_num")).isEqualTo(16);
        assertThat(offsetOf(h, "ts_first_pkt")).isEqualTo(24);
        assertThat(offsetOf(h, "ts_last_pkt")).isEqualTo(32);

        GroupLayout b = StructLayouts.TPACKET_BLOCK_DESC;
        assertThat(b.byteSize()).isEqualTo(48);
        assertThat(b.byteAlignment()).isEqualTo(8);
        assertThat(offsetOf(b, "version")).isEqualTo(0);
        assertThat(offsetOf(b, "offset_to_priv")).isEqualTo(4);
        assertThat(offsetOf(b, "hdr")).isEqualTo(8);
        assertThat(offsetOf(b, "hdr", "bh1", "block_status")).isEqualTo(8);
        assertThat(offsetOf(b, "hdr", "bh1", "num_pkts")).isEqualTo(12);
        assertThat(offsetOf(b, "hdr", "bh1", "offset_to_first_pkt")).isEqualTo(16);
        assertThat(offsetOf(b, "hdr", "bh1", "blk_len")).isEqualTo(20);
        assertThat(offsetOf(b, "hdr", "bh1", "seq_num")).isEqualTo(24);
        assertThat(offsetOf(b, "hdr", "bh1", "ts_first_pkt", "ts_sec")).isEqualTo(32);
        assertThat(offsetOf(b, "hdr", "bh1", "ts_first_pkt", "ts_nsec")).isEqualTo(36);
        assertThat(offsetOf(b, "hdr", "bh1", "ts_last_pkt", "ts_sec")).isEqualTo(40);
        assertThat(offsetOf(b, "hdr", "bh1", "ts_last_pkt", "ts_nsec")).isEqualTo(44);
    }

    @Test
    void tpacket3HeaderWithItsHv1PartMatchesTheKernelAbi() {
        GroupLayout v = StructLayouts.TPACKET_HDR_VARIANT1;
        assertThat(v.byteSize()).isEqualTo(12);
        assertThat(offsetOf(v, "tp_rxhash")).isEqualTo(0);
        assertThat(offsetOf(v, "tp_vlan_tci")).isEqualTo(4);
        assertThat(offsetOf(v, "tp_vlan_tpid")).isEqualTo(8);
        assertThat(offsetOf(v, "tp_padding")).isEqualTo(10);

        GroupLayout l = StructLayouts.TPACKET3_HDR;
        assertThat(l.byteSize()).isEqualTo(48);
        assertThat(l.byteAlignment()).isEqualTo(4);
        assertThat(offsetOf(l, "tp_next_offset")).isEqualTo(0);
        assertThat(offsetOf(l, "tp_sec")).isEqualTo(4);
        assertThat(offsetOf(l, "tp_nsec")).isEqualTo(8);
        assertThat(offsetOf(l, "tp_snaplen")).isEqualTo(12);
        assertThat(offsetOf(l, "tp_len")).isEqualTo(16);
        assertThat(offsetOf(l, "tp_status")).isEqualTo(20);
        assertThat(offsetOf(l, "tp_mac")).isEqualTo(24);
        assertThat(offsetOf(l, "tp_net")).isEqualTo(26);
        assertThat(offsetOf(l, "hv1")).isEqualTo(28);
        assertThat(offsetOf(l, "hv1", "tp_rxhash")).isEqualTo(28);
        assertThat(offsetOf(l, "hv1", "tp_vlan_tci")).isEqualTo(32);
        assertThat(offsetOf(l, "hv1", "tp_vlan_tpid")).isEqualTo(36);
        assertThat(offsetOf(l, "tp_padding")).isEqualTo(40);
    }

    @Test
    void sockaddrOfAV3FrameFollowsTheAlignedHeader() {
        // TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) and TPACKET3_HDRLEN from the probe.
        assertThat(StructLayouts.TPACKET3_SOCKADDR_OFFSET).isEqualTo(48);
        assertThat(StructLayouts.TPACKET3_SOCKADDR_OFFSET + StructLayouts.SOCKADDR_LL.byteSize())
                .isEqualTo(LinuxConstants.TPACKET3_HDRLEN);
    }

    @Test
    void statsV3MatchesTheKernelAbi() {
        GroupLayout l = StructLayouts.TPACKET_STATS_V3;
        assertThat(l.byteSize()).isEqualTo(12);
        assertThat(offsetOf(l, "tp_packets")).isEqualTo(0);
        assertThat(offsetOf(l, "tp_drops")).isEqualTo(4);
        assertThat(offsetOf(l, "tp_freeze_q_cnt")).isEqualTo(8);
    }

    @Test
    void pollfdMatchesTheKernelAbi() {
        GroupLayout l = StructLayouts.POLLFD;
        assertThat(l.byteSize()).isEqualTo(8);
        assertThat(offsetOf(l, "fd")).isEqualTo(0);
        assertThat(offsetOf(l, "events")).isEqualTo(4);
        assertThat(offsetOf(l, "revents")).isEqualTo(6);
    }

    @Test
    void sockFilterAndSockFprogMatchTheKernelAbi() {
        GroupLayout f = StructLayouts.SOCK_FILTER;
        assertThat(f.byteSize()).isEqualTo(8);
        assertThat(offsetOf(f, "code")).isEqualTo(0);
        assertThat(offsetOf(f, "jt")).isEqualTo(2);
        assertThat(offsetOf(f, "jf")).isEqualTo(3);
        assertThat(offsetOf(f, "k")).isEqualTo(4);

        GroupLayout p = StructLayouts.SOCK_FPROG;
        assertThat(p.byteSize()).isEqualTo(16);
        assertThat(offsetOf(p, "len")).isEqualTo(0);
        assertThat(offsetOf(p, "filter")).isEqualTo(8);
    }

    @Test
    void bpfProgramMatchesLibpcapsAbi() {
        GroupLayout l = StructLayouts.BPF_PROGRAM;
        assertThat(l.byteSize()).isEqualTo(16);
        assertThat(offsetOf(l, "bf_len")).isEqualTo(0);
        assertThat(offsetOf(l, "bf_insns")).isEqualTo(8);
    }

    @Test
    void packetMreqMatchesTheKernelAbi() {
        GroupLayout l = StructLayouts.PACKET_MREQ;
        assertThat(l.byteSize()).isEqualTo(16);
        assertThat(offsetOf(l, "mr_ifindex")).isEqualTo(0);
        assertThat(offsetOf(l, "mr_type")).isEqualTo(4);
        assertThat(offsetOf(l, "mr_alen")).isEqualTo(6);
        assertThat(offsetOf(l, "mr_address")).isEqualTo(8);
    }

    @Test
    void hwtstampConfigAndIfreqMatchTheKernelAbi() {
        GroupLayout h = StructLayouts.HWTSTAMP_CONFIG;
        assertThat(h.byteSize()).isEqualTo(12);
        assertThat(offsetOf(h, "flags")).isEqualTo(0);
        assertThat(offsetOf(h, "tx_type")).isEqualTo(4);
        assertThat(offsetOf(h, "rx_filter")).isEqualTo(8);

        GroupLayout i = StructLayouts.IFREQ;
        assertThat(i.byteSize()).isEqualTo(40);
        assertThat(offsetOf(i, "ifr_name")).isEqualTo(0);
        assertThat(offsetOf(i, "ifr_data")).isEqualTo(16);
    }

    @Test
    void netlinkHeadersMatchTheKernelAbi() {
        GroupLayout nl = StructLayouts.SOCKADDR_NL;
        assertThat(nl.byteSize()).isEqualTo(12);
        assertThat(nl.byteAlignment()).isEqualTo(4);
        assertThat(offsetOf(nl, "nl_family")).isEqualTo(0);
        assertThat(offsetOf(nl, "nl_pad")).isEqualTo(2);
        assertThat(offsetOf(nl, "nl_pid")).isEqualTo(4);
        assertThat(offsetOf(nl, "nl_groups")).isEqualTo(8);

        GroupLayout h = StructLayouts.NLMSGHDR;
        assertThat(h.byteSize()).isEqualTo(16);
        assertThat(h.byteAlignment()).isEqualTo(4);
        assertThat(offsetOf(h, "nlmsg_len")).isEqualTo(0);
        assertThat(offsetOf(h, "nlmsg_type")).isEqualTo(4);
        assertThat(offsetOf(h, "nlmsg_flags")).isEqualTo(6);
        assertThat(offsetOf(h, "nlmsg_seq")).isEqualTo(8);
        assertThat(offsetOf(h, "nlmsg_pid")).isEqualTo(12);

        GroupLayout e = StructLayouts.NLMSGERR;
        assertThat(e.byteSize()).isEqualTo(20);
        assertThat(offsetOf(e, "error")).isEqualTo(0);
        assertThat(offsetOf(e, "msg")).isEqualTo(4);
    }

    @Test
    void rtnetlinkLinkStructsMatchTheKernelAbi() {
        GroupLayout i = StructLayouts.IFINFOMSG;
        assertThat(i.byteSize()).isEqualTo(16);
        assertThat(i.byteAlignment()).isEqualTo(4);
        assertThat(offsetOf(i, "ifi_family")).isEqualTo(0);
        assertThat(offsetOf(i, "ifi_type")).isEqualTo(2);
        assertThat(offsetOf(i, "ifi_index")).isEqualTo(4);
        assertThat(offsetOf(i, "ifi_flags")).isEqualTo(8);
        assertThat(offsetOf(i, "ifi_change")).isEqualTo(12);

        GroupLayout a = StructLayouts.RTATTR;
        assertThat(a.byteSize()).isEqualTo(4);
        assertThat(offsetOf(a, "rta_len")).isEqualTo(0);
        assertThat(offsetOf(a, "rta_type")).isEqualTo(2);

        GroupLayout s = StructLayouts.RTNL_LINK_STATS64;
        assertThat(s.byteSize()).isEqualTo(200);
        assertThat(s.byteAlignment()).isEqualTo(8);
        assertThat(offsetOf(s, "rx_packets")).isEqualTo(0);
        assertThat(offsetOf(s, "rx_bytes")).isEqualTo(16);
        assertThat(offsetOf(s, "rx_dropped")).isEqualTo(48);
        assertThat(offsetOf(s, "rx_nohandler")).isEqualTo(184);
        assertThat(offsetOf(s, "rx_otherhost_dropped")).isEqualTo(192);
    }
}
