package dev.capstream.capture.xdp;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernel structs of AF_XDP ({@code <linux/if_xdp.h>}) and of the bpf(2) calls capstream makes
 * ({@code <linux/bpf.h>}), described once each. A layout's name is its C type and its field names
 * are the C member designators, so {@code XdpLayoutsTest} can compile {@code offsetof} for every
 * field against the installed headers. Pointers inside {@code union bpf_attr} are {@code __aligned_u64}:
 * plain longs holding an address.
 */
final class XdpLayouts {

    private XdpLayouts() {}

    /** The size of {@code union bpf_attr} capstream passes; the kernel accepts any size whose tail past its own is zero. */
    static final long BPF_ATTR_SIZE = 144;

    static final StructLayout SOCKADDR_XDP = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sxdp_family"),
            JAVA_SHORT.withName("sxdp_flags"),
            JAVA_INT.withName("sxdp_ifindex"),
            JAVA_INT.withName("sxdp_queue_id"),
            JAVA_INT.withName("sxdp_shared_umem_fd"))
            .withName("struct sockaddr_xdp");

    /** The 6.1 header's layout; newer kernels name the tail word {@code tx_metadata_len}, which stays 0. */
    static final StructLayout XDP_UMEM_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_LONG.withName("len"),
            JAVA_INT.withName("chunk_size"),
            JAVA_INT.withName("headroom"),
            JAVA_INT.withName("flags"),
            MemoryLayout.paddingLayout(4))
            .withName("struct xdp_umem_reg");

    static final StructLayout XDP_RING_OFFSET = MemoryLayout.structLayout(
            JAVA_LONG.withName("producer"),
            JAVA_LONG.withName("consumer"),
            JAVA_LONG.withName("desc"),
            JAVA_LONG.withName("flags"))
            .withName("struct xdp_ring_offset");

    static final StructLayout XDP_MMAP_OFFSETS = MemoryLayout.structLayout(
            XDP_RING_OFFSET.withName("rx"),
            XDP_RING_OFFSET.withName("tx"),
            XDP_RING_OFFSET.withName("fr"),
            XDP_RING_OFFSET.withName("cr"))
            .withName("struct xdp_mmap_offsets");

    static final StructLayout XDP_DESC = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("options"))
            .withName("struct xdp_desc");

    static final StructLayout XDP_STATISTICS = MemoryLayout.structLayout(
            JAVA_LONG.withName("rx_dropped"),
            JAVA_LONG.withName("rx_invalid_descs"),
            JAVA_LONG.withName("tx_invalid_descs"),
            JAVA_LONG.withName("rx_ring_full"),
            JAVA_LONG.withName("rx_fill_ring_empty_descs"),
            JAVA_LONG.withName("tx_ring_empty_descs"))
            .withName("struct xdp_statistics");

    static final StructLayout XDP_OPTIONS = MemoryLayout.structLayout(JAVA_INT.withName("flags"))
            .withName("struct xdp_options");

    /** The XDP program's context; the redirect program reads {@code rx_queue_index}. */
    static final StructLayout XDP_MD = MemoryLayout.structLayout(
            JAVA_INT.withName("data"),
            JAVA_INT.withName("data_end"),
            JAVA_INT.withName("data_meta"),
            JAVA_INT.withName("ingress_ifindex"),
            JAVA_INT.withName("rx_queue_index"),
            JAVA_INT.withName("egress_ifindex"))
            .withName("struct xdp_md");

    /** {@code regs} holds the bit fields {@code dst_reg:4} (low nibble) and {@code src_reg:4} (high nibble). */
    static final StructLayout BPF_INSN = MemoryLayout.structLayout(
            JAVA_BYTE.withName("code"),
            JAVA_BYTE.withName("regs"),
            JAVA_SHORT.withName("off"),
            JAVA_INT.withName("imm"))
            .withName("struct bpf_insn");

    /** {@code union bpf_attr} for BPF_MAP_CREATE. */
    static final StructLayout ATTR_MAP_CREATE = MemoryLayout.structLayout(
            JAVA_INT.withName("map_type"),
            JAVA_INT.withName("key_size"),
            JAVA_INT.withName("value_size"),
            JAVA_INT.withName("max_entries"),
            JAVA_INT.withName("map_flags"),
            JAVA_INT.withName("inner_map_fd"),
            JAVA_INT.withName("numa_node"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("map_name"),
            MemoryLayout.paddingLayout(BPF_ATTR_SIZE - 44))
            .withName("union bpf_attr");

    /** {@code union bpf_attr} for BPF_MAP_*_ELEM. */
    static final StructLayout ATTR_MAP_ELEM = MemoryLayout.structLayout(
            JAVA_INT.withName("map_fd"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("value"),
            JAVA_LONG.withName("flags"),
            MemoryLayout.paddingLayout(BPF_ATTR_SIZE - 32))
            .withName("union bpf_attr");

    /** {@code union bpf_attr} for BPF_PROG_LOAD. */
    static final StructLayout ATTR_PROG_LOAD = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_type"),
            JAVA_INT.withName("insn_cnt"),
            JAVA_LONG.withName("insns"),
            JAVA_LONG.withName("license"),
            JAVA_INT.withName("log_level"),
            JAVA_INT.withName("log_size"),
            JAVA_LONG.withName("log_buf"),
            JAVA_INT.withName("kern_version"),
            JAVA_INT.withName("prog_flags"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("prog_name"),
            JAVA_INT.withName("prog_ifindex"),
            JAVA_INT.withName("expected_attach_type"),
            MemoryLayout.paddingLayout(BPF_ATTR_SIZE - 72))
            .withName("union bpf_attr");

    /** {@code union bpf_attr} for BPF_LINK_CREATE (the {@code link_create} member). */
    static final StructLayout ATTR_LINK_CREATE = MemoryLayout.structLayout(
            JAVA_INT.withName("link_create.prog_fd"),
            JAVA_INT.withName("link_create.target_ifindex"),
            JAVA_INT.withName("link_create.attach_type"),
            JAVA_INT.withName("link_create.flags"),
            MemoryLayout.paddingLayout(BPF_ATTR_SIZE - 16))
            .withName("union bpf_attr");

    static final VarHandle SXDP_FAMILY = handle(SOCKADDR_XDP, "sxdp_family");
    static final VarHandle SXDP_FLAGS = handle(SOCKADDR_XDP, "sxdp_flags");
    static final VarHandle SXDP_IFINDEX = handle(SOCKADDR_XDP, "sxdp_ifindex");
    static final VarHandle SXDP_QUEUE_ID = handle(SOCKADDR_XDP, "sxdp_queue_id");

    static final VarHandle UMEM_ADDR = handle(XDP_UMEM_REG, "addr");
    static final VarHandle UMEM_LEN = handle(XDP_UMEM_REG, "len");
    static final VarHandle UMEM_CHUNK_SIZE = handle(XDP_UMEM_REG, "chunk_size");
    static final VarHandle UMEM_HEADROOM = handle(XDP_UMEM_REG, "headroom");

    static final VarHandle OPTIONS_FLAGS = handle(XDP_OPTIONS, "flags");

    static final VarHandle MAP_TYPE = handle(ATTR_MAP_CREATE, "map_type");
    static final VarHandle MAP_KEY_SIZE = handle(ATTR_MAP_CREATE, "key_size");
    static final VarHandle MAP_VALUE_SIZE = handle(ATTR_MAP_CREATE, "value_size");
    static final VarHandle MAP_MAX_ENTRIES = handle(ATTR_MAP_CREATE, "max_entries");

    static final VarHandle ELEM_MAP_FD = handle(ATTR_MAP_ELEM, "map_fd");
    static final VarHandle ELEM_KEY = handle(ATTR_MAP_ELEM, "key");
    static final VarHandle ELEM_VALUE = handle(ATTR_MAP_ELEM, "value");
    static final VarHandle ELEM_FLAGS = handle(ATTR_MAP_ELEM, "flags");

    static final VarHandle PROG_TYPE = handle(ATTR_PROG_LOAD, "prog_type");
    static final VarHandle PROG_INSN_CNT = handle(ATTR_PROG_LOAD, "insn_cnt");
    static final VarHandle PROG_INSNS = handle(ATTR_PROG_LOAD, "insns");
    static final VarHandle PROG_LICENSE = handle(ATTR_PROG_LOAD, "license");
    static final VarHandle PROG_LOG_LEVEL = handle(ATTR_PROG_LOAD, "log_level");
    static final VarHandle PROG_LOG_SIZE = handle(ATTR_PROG_LOAD, "log_size");
    static final VarHandle PROG_LOG_BUF = handle(ATTR_PROG_LOAD, "log_buf");
    static final VarHandle PROG_EXPECTED_ATTACH_TYPE = handle(ATTR_PROG_LOAD, "expected_attach_type");
    static final VarHandle PROG_FLAGS = handle(ATTR_PROG_LOAD, "prog_flags");
    static final VarHandle PROG_IFINDEX = handle(ATTR_PROG_LOAD, "prog_ifindex");

    static final VarHandle LINK_PROG_FD = handle(ATTR_LINK_CREATE, "link_create.prog_fd");
    static final VarHandle LINK_TARGET_IFINDEX = handle(ATTR_LINK_CREATE, "link_create.target_ifindex");
    static final VarHandle LINK_ATTACH_TYPE = handle(ATTR_LINK_CREATE, "link_create.attach_type");
    static final VarHandle LINK_FLAGS = handle(ATTR_LINK_CREATE, "link_create.flags");

    static long offsetOf(MemoryLayout layout, String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    private static VarHandle handle(MemoryLayout layout, String field) {
        return layout.varHandle(PathElement.groupElement(field));
    }
}
