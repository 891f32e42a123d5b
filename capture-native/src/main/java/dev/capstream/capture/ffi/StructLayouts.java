package dev.capstream.capture.ffi;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernel structs of AF_PACKET TPACKET_V3 and poll(2), described once each. Field names are the
 * C names; {@code StructLayoutsTest} pins every size and offset to what gcc reported for the
 * installed Linux headers.
 *
 * <p>Every {@code VarHandle} here takes {@code (MemorySegment, long baseOffset)}: the base is where
 * the struct starts in the segment (e.g. a frame's offset in the ring). Unsigned C fields come back
 * as signed Java values; mask them ({@code & 0xFFFF}, {@link Integer#toUnsignedLong}).
 */
public final class StructLayouts {

    private StructLayouts() {}

    // struct tpacket_req3 (<linux/if_packet.h>): the PACKET_RX_RING request.
    public static final StructLayout TPACKET_REQ3 = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_block_size"),
            JAVA_INT.withName("tp_block_nr"),
            JAVA_INT.withName("tp_frame_size"),
            JAVA_INT.withName("tp_frame_nr"),
            JAVA_INT.withName("tp_retire_blk_tov"),
            JAVA_INT.withName("tp_sizeof_priv"),
            JAVA_INT.withName("tp_feature_req_word"))
            .withName("tpacket_req3");

    public static final VarHandle REQ3_BLOCK_SIZE = handle(TPACKET_REQ3, "tp_block_size");
    public static final VarHandle REQ3_BLOCK_NR = handle(TPACKET_REQ3, "tp_block_nr");
    public static final VarHandle REQ3_FRAME_SIZE = handle(TPACKET_REQ3, "tp_frame_size");
    public static final VarHandle REQ3_FRAME_NR = handle(TPACKET_REQ3, "tp_frame_nr");
    public static final VarHandle REQ3_RETIRE_BLK_TOV = handle(TPACKET_REQ3, "tp_retire_blk_tov");
    public static final VarHandle REQ3_SIZEOF_PRIV = handle(TPACKET_REQ3, "tp_sizeof_priv");
    public static final VarHandle REQ3_FEATURE_REQ_WORD = handle(TPACKET_REQ3, "tp_feature_req_word");

    // struct sockaddr_ll (<linux/if_packet.h>). sll_protocol is in network byte order.
    public static final StructLayout SOCKADDR_LL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sll_family"),
            JAVA_SHORT.withName("sll_protocol"),
            JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"),
            JAVA_BYTE.withName("sll_pkttype"),
            JAVA_BYTE.withName("sll_halen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr"))
            .withName("sockaddr_ll");

    public static final VarHandle SLL_FAMILY = handle(SOCKADDR_LL, "sll_family");
    public static final VarHandle SLL_PROTOCOL = handle(SOCKADDR_LL, "sll_protocol");
    public static final VarHandle SLL_IFINDEX = handle(SOCKADDR_LL, "sll_ifindex");
    public static final VarHandle SLL_HATYPE = handle(SOCKADDR_LL, "sll_hatype");
    public static final VarHandle SLL_PKTTYPE = handle(SOCKADDR_LL, "sll_pkttype");
    public static final VarHandle SLL_HALEN = handle(SOCKADDR_LL, "sll_halen");

    // struct tpacket_bd_ts: ts_nsec shares its place with ts_usec; TPACKET_V3 fills nanoseconds.
    public static final StructLayout TPACKET_BD_TS = MemoryLayout.structLayout(
            JAVA_INT.withName("ts_sec"),
            JAVA_INT.withName("ts_nsec"))
            .withName("tpacket_bd_ts");

    // struct tpacket_hdr_v1: the block header. seq_num is __aligned_u64, which aligns the struct to 8.
    public static final StructLayout TPACKET_HDR_V1 = MemoryLayout.structLayout(
            JAVA_INT.withName("block_status"),
            JAVA_INT.withName("num_pkts"),
            JAVA_INT.withName("offset_to_first_pkt"),
            JAVA_INT.withName("blk_len"),
            JAVA_LONG.withName("seq_num"),
            TPACKET_BD_TS.withName("ts_first_pkt"),
            TPACKET_BD_TS.withName("ts_last_pkt"))
            .withName("tpacket_hdr_v1");

    // struct tpacket_block_desc: the start of every block of the ring.
    public static final StructLayout TPACKET_BLOCK_DESC = MemoryLayout.structLayout(
            JAVA_INT.withName("version"),
            JAVA_INT.withName("offset_to_priv"),
            MemoryLayout.unionLayout(TPACKET_HDR_V1.withName("bh1")).withName("hdr"))
            .withName("tpacket_block_desc");

    public static final VarHandle BLOCK_VERSION = handle(TPACKET_BLOCK_DESC, "version");
    public static final VarHandle BLOCK_OFFSET_TO_PRIV = handle(TPACKET_BLOCK_DESC, "offset_to_priv");
    public static final VarHandle BLOCK_STATUS = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "block_status");
    public static final VarHandle BLOCK_NUM_PKTS = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "num_pkts");
    public static final VarHandle BLOCK_OFFSET_TO_FIRST_PKT =
            handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "offset_to_first_pkt");
    public static final VarHandle BLOCK_BLK_LEN = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "blk_len");
    public static final VarHandle BLOCK_SEQ_NUM = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "seq_num");
    public static final VarHandle BLOCK_TS_FIRST_SEC = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "ts_first_pkt", "ts_sec");
    public static final VarHandle BLOCK_TS_FIRST_NSEC = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "ts_first_pkt", "ts_nsec");
    public static final VarHandle BLOCK_TS_LAST_SEC = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "ts_last_pkt", "ts_sec");
    public static final VarHandle BLOCK_TS_LAST_NSEC = handle(TPACKET_BLOCK_DESC, "hdr", "bh1", "ts_last_pkt", "ts_nsec");

    // struct tpacket_hdr_variant1: the hv1 part of tpacket3_hdr.
    public static final StructLayout TPACKET_HDR_VARIANT1 = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_rxhash"),
            JAVA_INT.withName("tp_vlan_tci"),
            JAVA_SHORT.withName("tp_vlan_tpid"),
            JAVA_SHORT.withName("tp_padding"))
            .withName("tpacket_hdr_variant1");

    // struct tpacket3_hdr: the header before every frame of a TPACKET_V3 block.
    public static final StructLayout TPACKET3_HDR = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_next_offset"),
            JAVA_INT.withName("tp_sec"),
            JAVA_INT.withName("tp_nsec"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_status"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            TPACKET_HDR_VARIANT1.withName("hv1"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tp_padding"))
            .withName("tpacket3_hdr");

    public static final VarHandle TP_NEXT_OFFSET = handle(TPACKET3_HDR, "tp_next_offset");
    public static final VarHandle TP_SEC = handle(TPACKET3_HDR, "tp_sec");
    public static final VarHandle TP_NSEC = handle(TPACKET3_HDR, "tp_nsec");
    public static final VarHandle TP_SNAPLEN = handle(TPACKET3_HDR, "tp_snaplen");
    public static final VarHandle TP_LEN = handle(TPACKET3_HDR, "tp_len");
    public static final VarHandle TP_STATUS = handle(TPACKET3_HDR, "tp_status");
    public static final VarHandle TP_MAC = handle(TPACKET3_HDR, "tp_mac");
    public static final VarHandle TP_NET = handle(TPACKET3_HDR, "tp_net");
    public static final VarHandle TP_RXHASH = handle(TPACKET3_HDR, "hv1", "tp_rxhash");
    public static final VarHandle TP_VLAN_TCI = handle(TPACKET3_HDR, "hv1", "tp_vlan_tci");
    public static final VarHandle TP_VLAN_TPID = handle(TPACKET3_HDR, "hv1", "tp_vlan_tpid");

    /**
     * Where the sockaddr_ll of a TPACKET_V3 frame starts, from the frame's start:
     * TPACKET_ALIGN(sizeof(struct tpacket3_hdr)).
     */
    public static final long TPACKET3_SOCKADDR_OFFSET =
            LinuxConstants.tpacketAlign((int) TPACKET3_HDR.byteSize());

    // struct tpacket_stats_v3: PACKET_STATISTICS with TPACKET_V3. The kernel zeroes it on each read.
    public static final StructLayout TPACKET_STATS_V3 = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_packets"),
            JAVA_INT.withName("tp_drops"),
            JAVA_INT.withName("tp_freeze_q_cnt"))
            .withName("tpacket_stats_v3");

    public static final VarHandle STATS_PACKETS = handle(TPACKET_STATS_V3, "tp_packets");
    public static final VarHandle STATS_DROPS = handle(TPACKET_STATS_V3, "tp_drops");
    public static final VarHandle STATS_FREEZE_Q_CNT = handle(TPACKET_STATS_V3, "tp_freeze_q_cnt");

    // struct pollfd (<poll.h>).
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"))
            .withName("pollfd");

    public static final VarHandle POLLFD_FD = handle(POLLFD, "fd");
    public static final VarHandle POLLFD_EVENTS = handle(POLLFD, "events");
    public static final VarHandle POLLFD_REVENTS = handle(POLLFD, "revents");

    // struct sock_filter (<linux/filter.h>): one classic BPF instruction; libpcap's struct bpf_insn is the same.
    public static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
            JAVA_SHORT.withName("code"),
            JAVA_BYTE.withName("jt"),
            JAVA_BYTE.withName("jf"),
            JAVA_INT.withName("k"))
            .withName("sock_filter");

    public static final VarHandle FILTER_CODE = handle(SOCK_FILTER, "code");
    public static final VarHandle FILTER_JT = handle(SOCK_FILTER, "jt");
    public static final VarHandle FILTER_JF = handle(SOCK_FILTER, "jf");
    public static final VarHandle FILTER_K = handle(SOCK_FILTER, "k");

    // struct sock_fprog (<linux/filter.h>): the SO_ATTACH_FILTER argument.
    public static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            JAVA_SHORT.withName("len"),
            MemoryLayout.paddingLayout(6),
            ADDRESS.withName("filter"))
            .withName("sock_fprog");

    public static final VarHandle FPROG_LEN = handle(SOCK_FPROG, "len");
    public static final VarHandle FPROG_FILTER = handle(SOCK_FPROG, "filter");

    // struct bpf_program (<pcap/bpf.h>): what pcap_compile fills. bf_len is a u_int, unlike sock_fprog's len.
    public static final StructLayout BPF_PROGRAM = MemoryLayout.structLayout(
            JAVA_INT.withName("bf_len"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("bf_insns"))
            .withName("bpf_program");

    public static final VarHandle BPF_PROGRAM_LEN = handle(BPF_PROGRAM, "bf_len");
    public static final VarHandle BPF_PROGRAM_INSNS = handle(BPF_PROGRAM, "bf_insns");

    // struct packet_mreq (<linux/if_packet.h>): PACKET_ADD_MEMBERSHIP, e.g. PACKET_MR_PROMISC.
    public static final StructLayout PACKET_MREQ = MemoryLayout.structLayout(
            JAVA_INT.withName("mr_ifindex"),
            JAVA_SHORT.withName("mr_type"),
            JAVA_SHORT.withName("mr_alen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("mr_address"))
            .withName("packet_mreq");

    public static final VarHandle MREQ_IFINDEX = handle(PACKET_MREQ, "mr_ifindex");
    public static final VarHandle MREQ_TYPE = handle(PACKET_MREQ, "mr_type");
    public static final VarHandle MREQ_ALEN = handle(PACKET_MREQ, "mr_alen");

    // struct hwtstamp_config (<linux/net_tstamp.h>): what SIOCGHWTSTAMP reports about a NIC's stamping.
    public static final StructLayout HWTSTAMP_CONFIG = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("tx_type"),
            JAVA_INT.withName("rx_filter"))
            .withName("hwtstamp_config");

    public static final VarHandle HWTSTAMP_RX_FILTER = handle(HWTSTAMP_CONFIG, "rx_filter");

    // struct ifreq (<net/if.h>) in the one form capstream uses: the name and ifr_data (a pointer in the union).
    public static final StructLayout IFREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ifr_name"),
            ADDRESS.withName("ifr_data"),
            MemoryLayout.paddingLayout(16))
            .withName("ifreq");

    public static final VarHandle IFREQ_DATA = handle(IFREQ, "ifr_data");

    // struct sockaddr_nl (<linux/netlink.h>): binds a NETLINK_ROUTE socket, nl_groups selects notifications.
    public static final StructLayout SOCKADDR_NL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nl_family"),
            JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"))
            .withName("sockaddr_nl");

    public static final VarHandle NL_FAMILY = handle(SOCKADDR_NL, "nl_family");
    public static final VarHandle NL_GROUPS = handle(SOCKADDR_NL, "nl_groups");

    // struct nlmsghdr (<linux/netlink.h>): starts every netlink message.
    public static final StructLayout NLMSGHDR = MemoryLayout.structLayout(
            JAVA_INT.withName("nlmsg_len"),
            JAVA_SHORT.withName("nlmsg_type"),
            JAVA_SHORT.withName("nlmsg_flags"),
            JAVA_INT.withName("nlmsg_seq"),
            JAVA_INT.withName("nlmsg_pid"))
            .withName("nlmsghdr");

    public static final VarHandle NLMSG_LEN = handle(NLMSGHDR, "nlmsg_len");
    public static final VarHandle NLMSG_TYPE = handle(NLMSGHDR, "nlmsg_type");
    public static final VarHandle NLMSG_FLAGS = handle(NLMSGHDR, "nlmsg_flags");
    public static final VarHandle NLMSG_SEQ = handle(NLMSGHDR, "nlmsg_seq");

    // struct nlmsgerr (<linux/netlink.h>): the payload of NLMSG_ERROR, a negative errno (0 = ack).
    public static final StructLayout NLMSGERR = MemoryLayout.structLayout(
            JAVA_INT.withName("error"),
            NLMSGHDR.withName("msg"))
            .withName("nlmsgerr");

    public static final VarHandle NLMSGERR_ERROR = handle(NLMSGERR, "error");

    // struct ifinfomsg (<linux/rtnetlink.h>): the fixed part of RTM_NEWLINK/RTM_DELLINK/RTM_GETLINK.
    public static final StructLayout IFINFOMSG = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifi_family"),
            JAVA_BYTE.withName("__ifi_pad"),
            JAVA_SHORT.withName("ifi_type"),
            JAVA_INT.withName("ifi_index"),
            JAVA_INT.withName("ifi_flags"),
            JAVA_INT.withName("ifi_change"))
            .withName("ifinfomsg");

    public static final VarHandle IFI_INDEX = handle(IFINFOMSG, "ifi_index");
    public static final VarHandle IFI_FLAGS = handle(IFINFOMSG, "ifi_flags");

    // struct rtattr (<linux/rtnetlink.h>): the header of each IFLA_* attribute after the ifinfomsg.
    public static final StructLayout RTATTR = MemoryLayout.structLayout(
            JAVA_SHORT.withName("rta_len"),
            JAVA_SHORT.withName("rta_type"))
            .withName("rtattr");

    public static final VarHandle RTA_LEN = handle(RTATTR, "rta_len");
    public static final VarHandle RTA_TYPE = handle(RTATTR, "rta_type");

    // struct rtnl_link_stats64 (<linux/if_link.h>): IFLA_STATS64. capstream reads the receive side only;
    // the rest is named so the size matches the header (200 bytes since rx_otherhost_dropped, 6.0).
    public static final StructLayout RTNL_LINK_STATS64 = MemoryLayout.structLayout(
            JAVA_LONG.withName("rx_packets"),
            JAVA_LONG.withName("tx_packets"),
            JAVA_LONG.withName("rx_bytes"),
            JAVA_LONG.withName("tx_bytes"),
            JAVA_LONG.withName("rx_errors"),
            JAVA_LONG.withName("tx_errors"),
            JAVA_LONG.withName("rx_dropped"),
            JAVA_LONG.withName("tx_dropped"),
            JAVA_LONG.withName("multicast"),
            JAVA_LONG.withName("collisions"),
            MemoryLayout.sequenceLayout(13, JAVA_LONG).withName("error_details"),
            JAVA_LONG.withName("rx_nohandler"),
            JAVA_LONG.withName("rx_otherhost_dropped"))
            .withName("rtnl_link_stats64");

    public static final VarHandle LINK_RX_PACKETS = handle(RTNL_LINK_STATS64, "rx_packets");

    /** Byte offset of a (nested) field, for tests and for slicing. */
    public static long offsetOf(GroupLayout layout, String... path) {
        return layout.byteOffset(elements(path));
    }

    private static VarHandle handle(GroupLayout layout, String... path) {
        return layout.varHandle(elements(path));
    }

    private static PathElement[] elements(String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return elements;
    }
}
