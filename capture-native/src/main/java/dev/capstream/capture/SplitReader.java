package dev.capstream.capture;

/**
 * One capture reader: a fanout member on an interface, an RDMA port or a file. Not thread-safe:
 * one thread polls, walks and releases; {@link #stats()} may be read from any thread.
 *
 * <p>The loop is: {@code poll} a block, walk its frames, {@code release} it. Until a block is
 * released the kernel cannot refill it, which is how backpressure reaches the ring.
 *
 * <p>A <em>bounded</em> reader (a file) has an end: once it has handed over its last frame and that
 * block is released, {@link #finished()} is true and {@code poll} returns null at once. Live readers
 * are unbounded and never finish.
 */
public interface SplitReader extends AutoCloseable, InterfaceTable {

    /** The address this reader was opened from. */
    SplitAddress address();

    /** Name of the interface, as the kernel knows it (for files: the file's interface name). */
    String interfaceName();

    /** Kernel interface index (0 when not a live interface). */
    int interfaceIndex();

    /** The link type of the frames, as a pcap DLT number (1 = Ethernet). */
    int linkType();

    /**
     * The name of the interface a frame with this {@link Frame#interfaceIndex()} came from. Live
     * readers have one interface: its name. File readers name the file's interfaces.
     */
    @Override
    default String interfaceName(int interfaceIndex) {
        return interfaceName();
    }

    /** The link type of frames with this {@link Frame#interfaceIndex()}; see {@link #interfaceName(int)}. */
    @Override
    default int linkType(int interfaceIndex) {
        return linkType();
    }

    /**
     * The longest a frame the kernel has already taken can wait before a {@link #poll} can return it:
     * a TPACKET_V3 ring hands over a partly filled block only when its block timeout passes. A
     * graceful stop waits this long for the last frames rather than count them unread. 0 when
     * every frame taken is ready at once.
     */
    default long handOverMillis() {
        return 0;
    }

    /** Whether this reader has an end (a file), after which it is {@link #finished()}. */
    default boolean isBounded() {
        return false;
    }

    /**
     * True once a bounded reader has handed over every frame and the last block was released: no
     * poll will return anything again. Always false for live readers.
     */
    default boolean finished() {
        return false;
    }

    /**
     * Waits up to {@code timeoutMillis} for the next block of frames.
     *
     * @return a cursor positioned before the block's first frame, or {@code null} when nothing
     *     arrived in time (or, for a bounded reader, when it is {@link #finished()}). At most one block is held at a time: the previous one must have been
     *     {@linkplain #release() released}.
     * @throws CaptureException when the reader failed (the message names the call and interface)
     */
    FrameCursor poll(long timeoutMillis);

    /** Hands the block returned by the last {@link #poll} back to the kernel. Idempotent. */
    void release();

    /** Counters so far, kernel and user space together. Safe from any thread. */
    CaptureStats stats();

    /** Releases the ring and the socket. Idempotent. */
    @Override
    void close();

    /**
     * The checks every {@link #poll} makes before it looks for frames, with the same messages for
     * every reader kind: not closed, a timeout that is not negative, and nothing still held.
     *
     * @param held what a reader hands over at once ("block", "batch"), named in the message
     */
    static void checkPoll(SplitAddress address, boolean closed, long timeoutMillis, boolean holding, String held) {
        if (closed) {
            throw new IllegalStateException("reader " + address + " is closed");
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("poll timeout " + timeoutMillis + " ms is negative");
        }
        if (holding) {
            throw new IllegalStateException("poll() on " + address + " while the previous " + held
                    + " is held: release() it first");
        }
    }
}
