package dev.capstream.capture.ffi;

/**
 * Numbers from the Linux UAPI headers ({@code <sys/socket.h>}, {@code <linux/if_packet.h>},
 * {@code <sys/mman.h>}, {@code <poll.h>}, {@code <fcntl.h>}, {@code <sched.h>}) as the x86-64 and
 * arm64 ABIs define them.
 */
public final class LinuxConstants {

    private LinuxConstants() {}

    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;

    /** {@code htons(ETH_P_ALL)} on a little-endian host, as the int protocol argument. */
    public static final int HTONS_ETH_P_ALL = 0x0300;

    public static final int SOL_PACKET = 263;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_FANOUT = 18;
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_MR_PROMISC = 1;
    public static final int PACKET_TIMESTAMP = 17;
    public static final int TPACKET_V3 = 2;
    public static final int PACKET_FANOUT_HASH = 0;
    public static final int PACKET_FANOUT_LB = 1;
    public static final int PACKET_FANOUT_CPU = 2;
    public static final int PACKET_FANOUT_RND = 4;
    public static final int PACKET_FANOUT_QM = 5;
    public static final int PACKET_FANOUT_FLAG_ROLLOVER = 0x1000;
    /** Have the kernel pick a group id no other group in the namespace uses (first member only; id must be 0). */
    public static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    public static final int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;

    public static final int SO_ATTACH_FILTER = 26;
    /** SOF_TIMESTAMPING_RAW_HARDWARE: the PACKET_TIMESTAMP value that asks for the NIC's raw clock. */
    public static final int SOF_TIMESTAMPING_RAW_HARDWARE = 1 << 6;

    public static final long SIOCGHWTSTAMP = 0x89b1;
    public static final int HWTSTAMP_FILTER_NONE = 0;

    /** /sys/class/net/IF/flags bits. */
    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_PROMISC = 0x100;
    /** tpacket_req3.tp_feature_req_word: have the kernel fill tp_rxhash. */
    public static final int TP_FT_REQ_FILL_RXHASH = 0x1;

    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_COPY = 1 << 1;
    public static final int TP_STATUS_LOSING = 1 << 2;
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    public static final int TP_STATUS_TS_SOFTWARE = 1 << 29;
    public static final int TP_STATUS_TS_RAW_HARDWARE = 1 << 31;

    /** TPACKET_ALIGNMENT: frames and their headers start at multiples of 16 bytes. */
    public static final int TPACKET_ALIGNMENT = 16;
    /** TPACKET3_HDRLEN: TPACKET_ALIGN(sizeof(tpacket3_hdr)) + sizeof(sockaddr_ll). */
    public static final int TPACKET3_HDRLEN = 68;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;

    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_NONBLOCK = 0x800;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final int ETH_P_8021Q = 0x8100;

    // rtnetlink (<linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>): link notifications and link counters.
    public static final int AF_NETLINK = 16;
    public static final int NETLINK_ROUTE = 0;
    /** sockaddr_nl.nl_groups bit for link notifications (RTNLGRP_LINK as a legacy group mask). */
    public static final int RTMGRP_LINK = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int NLM_F_REQUEST = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_STATS64 = 23;
    /** NLMSG_ALIGNTO and RTA_ALIGNTO: netlink messages and attributes start at multiples of 4. */
    public static final int NETLINK_ALIGNMENT = 4;
    public static final int MSG_DONTWAIT = 0x40;

    public static int netlinkAlign(int x) {
        return (x + NETLINK_ALIGNMENT - 1) & -NETLINK_ALIGNMENT;
    }

    public static int tpacketAlign(int x) {
        return (x + TPACKET_ALIGNMENT - 1) & -TPACKET_ALIGNMENT;
    }
}
