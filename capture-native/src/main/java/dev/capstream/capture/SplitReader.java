package dev.capstream.capture;

/**
 * One capture reader: a fanout member on an interface, an RDMA port or a file. Not thread-safe:
 * one thread polls, walks and releases; {@link #stats()} may be read from any thread.
 *
 * <p>The loop is: {@code poll} a block, walk its frames, {@code release} it. Until a block is
 * released the kernel cannot refill it, which is how backpressure reaches the ring.
 */
public interface SplitReader extends AutoCloseable {

    /** The address this reader was opened from. */
    SplitAddress address();

    /** Name of the interface, as the kernel knows it (for files: the file's interface name). */
    String interfaceName();

    /** Kernel interface index (0 when not a live interface). */
    int interfaceIndex();

    /** The link type of the frames, as a pcap DLT number (1 = Ethernet). */
    int linkType();

    /**
     * Waits up to {@code timeoutMillis} for the next block of frames.
     *
     * @return a cursor positioned before the block's first frame, or {@code null} when nothing
     *     arrived in time. At most one block is held at a time: the previous one must have been
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
}
