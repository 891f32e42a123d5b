package dev.capstream.capture.xdp;

/**
 * Numbers from {@code <linux/if_xdp.h>}, {@code <linux/bpf.h>}, {@code <linux/if_link.h>} and
 * {@code <sys/mman.h>}, as the x86-64 and arm64 ABIs define them. {@code XdpLayoutsTest} checks
 * them against the installed headers.
 */
final class XdpConstants {

    private XdpConstants() {}

    static final int AF_XDP = 44;
    static final int SOL_XDP = 283;

    // getsockopt/setsockopt names at SOL_XDP.
    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;
    static final int XDP_OPTIONS = 8;

    // mmap page offsets of the rings (64-bit off_t).
    static final long XDP_PGOFF_RX_RING = 0L;
    static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    // sockaddr_xdp.sxdp_flags.
    static final int XDP_COPY = 1 << 1;
    static final int XDP_ZEROCOPY = 1 << 2;
    static final int XDP_USE_NEED_WAKEUP = 1 << 3;

    /** The flags word of a ring: the kernel wants a syscall (poll) to go on. */
    static final int XDP_RING_NEED_WAKEUP = 1;
    /** xdp_options.flags: the socket runs in zero-copy mode. */
    static final int XDP_OPTIONS_ZEROCOPY = 1;

    // bpf(2) commands.
    static final int BPF_MAP_CREATE = 0;
    static final int BPF_MAP_UPDATE_ELEM = 2;
    static final int BPF_PROG_LOAD = 5;
    static final int BPF_LINK_CREATE = 28;

    static final int BPF_MAP_TYPE_XSKMAP = 17;
    static final int BPF_PROG_TYPE_XDP = 6;
    /** enum bpf_attach_type BPF_XDP. */
    static final int BPF_XDP = 37;
    static final int BPF_PSEUDO_MAP_FD = 1;
    static final int BPF_FUNC_REDIRECT_MAP = 51;
    static final int BPF_FUNC_XDP_ADJUST_META = 54;
    /** bpf_insn.src_reg of a call to a kfunc; imm is the function's BTF id (in vmlinux when off is 0). */
    static final int BPF_PSEUDO_KFUNC_CALL = 2;
    /**
     * prog_flags: the program is bound to the device {@code prog_ifindex} names, so the kernel can
     * swap in that driver's XDP metadata kfuncs (kernel 6.3+; newer than the 6.1 UAPI headers the
     * layout probe compiles against, so checked against include/uapi/linux/bpf.h by hand: 1U << 6).
     */
    static final int BPF_F_XDP_DEV_BOUND_ONLY = 1 << 6;
    static final int BPF_ANY = 0;

    static final int XDP_PASS = 2;

    // link_create.flags for BPF_XDP (XDP_FLAGS_* of <linux/if_link.h>).
    static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    static final int XDP_FLAGS_DRV_MODE = 1 << 2;

    // mmap(2) flags for the UMEM.
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_POPULATE = 0x8000;
}
