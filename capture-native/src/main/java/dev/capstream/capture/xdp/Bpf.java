package dev.capstream.capture.xdp;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static dev.capstream.capture.xdp.XdpConstants.BPF_ANY;
import static dev.capstream.capture.xdp.XdpConstants.BPF_LINK_CREATE;
import static dev.capstream.capture.xdp.XdpConstants.BPF_MAP_CREATE;
import static dev.capstream.capture.xdp.XdpConstants.BPF_MAP_TYPE_XSKMAP;
import static dev.capstream.capture.xdp.XdpConstants.BPF_MAP_UPDATE_ELEM;
import static dev.capstream.capture.xdp.XdpConstants.BPF_PROG_LOAD;
import static dev.capstream.capture.xdp.XdpConstants.BPF_PROG_TYPE_XDP;
import static dev.capstream.capture.xdp.XdpConstants.BPF_XDP;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** The bpf(2) commands an AF_XDP reader needs, each returning what the kernel made (a file descriptor). */
final class Bpf {

    private static final int LOG_BYTES = 64 << 10;
    /** log_level 1: the verifier explains a rejection; nothing is written on success. */
    private static final int LOG_LEVEL_ON_ERROR = 1;

    private Bpf() {}

    /** An XSKMAP of {@code entries} slots (one per RX queue), u32 queue index to socket. */
    static int createXskMap(int entries, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(XdpLayouts.ATTR_MAP_CREATE);
            XdpLayouts.MAP_TYPE.set(attr, 0L, BPF_MAP_TYPE_XSKMAP);
            XdpLayouts.MAP_KEY_SIZE.set(attr, 0L, 4);
            XdpLayouts.MAP_VALUE_SIZE.set(attr, 0L, 4);
            XdpLayouts.MAP_MAX_ENTRIES.set(attr, 0L, entries);
            setName(attr, XdpLayouts.offsetOf(XdpLayouts.ATTR_MAP_CREATE, "map_name"), "xsks_map");
            return Libc.bpf(BPF_MAP_CREATE, "BPF_MAP_CREATE", attr, context);
        }
    }

    /** Puts socket {@code socketFd} into the XSKMAP's slot {@code key}. */
    static void updateXskMap(int mapFd, int key, int socketFd, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_INT, key);
            MemorySegment v = arena.allocateFrom(JAVA_INT, socketFd);
            MemorySegment attr = arena.allocate(XdpLayouts.ATTR_MAP_ELEM);
            XdpLayouts.ELEM_MAP_FD.set(attr, 0L, mapFd);
            XdpLayouts.ELEM_KEY.set(attr, 0L, k.address());
            XdpLayouts.ELEM_VALUE.set(attr, 0L, v.address());
            XdpLayouts.ELEM_FLAGS.set(attr, 0L, (long) BPF_ANY);
            Libc.bpf(BPF_MAP_UPDATE_ELEM, "BPF_MAP_UPDATE_ELEM", attr, context);
        }
    }

    /**
     * Loads an XDP program (GPL, so it may call every helper). When the verifier refuses it, the
     * exception's hint carries the verifier's log.
     */
    static int loadXdpProgram(MemorySegment instructions, String name, String context) {
        return loadXdpProgram(instructions, name, 0, 0, context);
    }

    /**
     * As {@link #loadXdpProgram(MemorySegment, String, String)} with {@code prog_flags}, and bound to
     * the device {@code ifindex} when it is not 0 (with BPF_F_XDP_DEV_BOUND_ONLY: metadata kfuncs).
     */
    static int loadXdpProgram(MemorySegment instructions, String name, int flags, int ifindex, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment license = arena.allocateFrom("GPL");
            MemorySegment log = arena.allocate(LOG_BYTES);
            MemorySegment attr = arena.allocate(XdpLayouts.ATTR_PROG_LOAD);
            XdpLayouts.PROG_TYPE.set(attr, 0L, BPF_PROG_TYPE_XDP);
            XdpLayouts.PROG_INSN_CNT.set(attr, 0L, (int) (instructions.byteSize() / XdpLayouts.BPF_INSN.byteSize()));
            XdpLayouts.PROG_INSNS.set(attr, 0L, instructions.address());
            XdpLayouts.PROG_LICENSE.set(attr, 0L, license.address());
            XdpLayouts.PROG_LOG_LEVEL.set(attr, 0L, LOG_LEVEL_ON_ERROR);
            XdpLayouts.PROG_LOG_SIZE.set(attr, 0L, LOG_BYTES);
            XdpLayouts.PROG_LOG_BUF.set(attr, 0L, log.address());
            XdpLayouts.PROG_EXPECTED_ATTACH_TYPE.set(attr, 0L, BPF_XDP);
            XdpLayouts.PROG_FLAGS.set(attr, 0L, flags);
            XdpLayouts.PROG_IFINDEX.set(attr, 0L, ifindex);
            setName(attr, XdpLayouts.offsetOf(XdpLayouts.ATTR_PROG_LOAD, "prog_name"), name);
            try {
                return Libc.bpf(BPF_PROG_LOAD, "BPF_PROG_LOAD", attr, context);
            } catch (NativeCallException e) {
                String verifier = log.getString(0).strip();
                throw verifier.isEmpty() ? e : e.withHint("the verifier said: " + verifier);
            }
        }
    }

    /** Attaches an XDP program to an interface through a bpf_link: closing the link (or dying) detaches it. */
    static int createXdpLink(int programFd, int ifindex, int xdpFlags, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(XdpLayouts.ATTR_LINK_CREATE);
            XdpLayouts.LINK_PROG_FD.set(attr, 0L, programFd);
            XdpLayouts.LINK_TARGET_IFINDEX.set(attr, 0L, ifindex);
            XdpLayouts.LINK_ATTACH_TYPE.set(attr, 0L, BPF_XDP);
            XdpLayouts.LINK_FLAGS.set(attr, 0L, xdpFlags);
            return Libc.bpf(BPF_LINK_CREATE, "BPF_LINK_CREATE", attr, context);
        }
    }

    private static void setName(MemorySegment attr, long offset, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, attr, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, Math.min(b.length, 15));
    }
}
