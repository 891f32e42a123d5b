package dev.capstream.capture.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes a pcapng file Wireshark reads: one section, one interface description block per
 * interface ({@code if_name}, {@code if_tsresol} = 9, i.e. nanoseconds) and one enhanced packet
 * block per frame with its nanosecond timestamp, its original (wire) length and, when known, its
 * direction ({@code epb_flags}). Blocks are written in the host's byte order, as the format allows.
 *
 * <p>Not thread-safe. Frames are buffered; {@link #close()} (or {@link #flush()}) writes them out.
 */
public final class PcapNgWriter implements AutoCloseable {

    private static final int BUFFER_BYTES = 256 * 1024;
    private static final int MAX_PACKET_BYTES = PcapReadOptions.MAX_BLOCK_BYTES_LIMIT - 64;
    private static final int NANOSECOND_RESOLUTION = 9;

    private final WritableByteChannel channel;
    private final ByteBuffer buffer;
    private final MemorySegment bufferSegment;
    private int interfaceCount;
    private long packets;
    private boolean closed;

    /** Starts a file on the channel with its section header block. */
    public PcapNgWriter(WritableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
        this.bufferSegment = MemorySegment.ofBuffer(buffer);
        writeSectionHeader();
    }

    /** Creates (or truncates) the file and starts it. */
    public static PcapNgWriter create(Path file) {
        try {
            return new PcapNgWriter(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create pcapng file " + file + ": " + why(e, file), e);
        }
    }

    /** The cause in words: NIO's own messages for these are just the path again. */
    private static String why(IOException e, Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "directory " + parent + " does not exist";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /**
     * Declares an interface; frames name it by the returned id (0, 1, ... in the order added).
     *
     * @param name the {@code if_name}, e.g. {@code eth0}
     * @param linkType its pcap LINKTYPE (1 = Ethernet)
     * @param snapLength the largest captured length of its frames (0: no limit)
     */
    public int addInterface(String name, int linkType, int snapLength) {
        ensureOpen();
        if (linkType < 0 || linkType > 0xFFFF) {
            throw new IllegalArgumentException("link type " + linkType + " does not fit pcapng's 16 bits");
        }
        byte[] nameBytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 0xFFFF - 1) {
            throw new IllegalArgumentException("interface name of " + nameBytes.length + " bytes is too long for pcapng");
        }
        int nameOption = nameBytes.length == 0 ? 0 : 4 + padded(nameBytes.length);
        int length = 20 + nameOption + 8 /* if_tsresol */ + 4 /* opt_endofopt */;
        room(length);
        buffer.putInt(PcapFileReader.BLOCK_IDB).putInt(length);
        buffer.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
        if (nameBytes.length > 0) {
            buffer.putShort((short) 2).putShort((short) nameBytes.length).put(nameBytes);
            pad(nameBytes.length);
        }
        buffer.putShort((short) 9).putShort((short) 1).put((byte) NANOSECOND_RESOLUTION).put(new byte[3]);
        buffer.putInt(0);
        buffer.putInt(length);
        return interfaceCount++;
    }

    /**
     * Writes one frame.
     *
     * @param interfaceId an id returned by {@link #addInterface}
     * @param timestampNanos capture time in nanoseconds since the epoch
     * @param wireLength the frame's length on the wire ({@code >= data.byteSize()} unless the
     *     source says otherwise)
     * @param packetType the Linux packet type (0 host, 1 broadcast, 2 multicast, 3 other host,
     *     4 outgoing) written as {@code epb_flags}; any other value writes none
     * @param data the captured bytes
     */
    public void writePacket(int interfaceId, long timestampNanos, int wireLength, int packetType, MemorySegment data) {
        int captured = checkPacket(interfaceId, data.byteSize());
        int flags = epbFlags(packetType);
        writeEpbHeader(interfaceId, timestampNanos, wireLength, captured, flags);
        if (buffer.remaining() >= captured) {
            MemorySegment.copy(data, 0, bufferSegment, buffer.position(), captured);
            buffer.position(buffer.position() + captured);
        } else {
            drain();
            writeDirect(data.asByteBuffer());
        }
        writeEpbTrailer(captured, flags);
    }

    /** {@link #writePacket(int, long, int, int, MemorySegment)} from an array. */
    public void writePacket(int interfaceId, long timestampNanos, int wireLength, int packetType, byte[] data) {
        writePacket(interfaceId, timestampNanos, wireLength, packetType, MemorySegment.ofArray(data));
    }

    /** Frames written so far. */
    public long packets() {
        return packets;
    }

    private int checkPacket(int interfaceId, long size) {
        ensureOpen();
        if (interfaceId < 0 || interfaceId >= interfaceCount) {
            throw new IllegalArgumentException("interface id " + interfaceId + " was not added (have " + interfaceCount + ")");
        }
        if (size > MAX_PACKET_BYTES) {
            throw new IllegalArgumentException("frame of " + size + " bytes is larger than pcapng readers accept");
        }
        return (int) size;
    }

    private void writeEpbHeader(int interfaceId, long timestampNanos, int wireLength, int captured, int flags) {
        int length = epbLength(captured, flags);
        room(28);
        buffer.putInt(PcapFileReader.BLOCK_EPB).putInt(length).putInt(interfaceId);
        buffer.putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        buffer.putInt(captured).putInt(wireLength);
    }

    private void writeEpbTrailer(int captured, int flags) {
        room(24);
        pad(captured);
        if (flags != 0) {
            buffer.putShort((short) 2).putShort((short) 4).putInt(flags);
            buffer.putInt(0);
        }
        buffer.putInt(epbLength(captured, flags));
        packets++;
    }

    private static int epbLength(int captured, int flags) {
        return 32 + padded(captured) + (flags != 0 ? 12 : 0);
    }

    /** pcapng {@code epb_flags}: direction in bits 0-1, reception type in bits 2-4. */
    static int epbFlags(int packetType) {
        return switch (packetType) {
            case 0 -> 1 | (1 << 2); // inbound, unicast
            case 1 -> 1 | (3 << 2); // inbound, broadcast
            case 2 -> 1 | (2 << 2); // inbound, multicast
            case 3 -> 1 | (4 << 2); // inbound, promiscuous
            case 4 -> 2;            // outbound
            default -> 0;
        };
    }

    private void writeSectionHeader() {
        byte[] application = "capstream".getBytes(StandardCharsets.US_ASCII);
        int length = 28 + 4 + padded(application.length) + 4;
        room(length);
        buffer.putInt(PcapFileReader.BLOCK_SHB).putInt(length).putInt(0x1A2B3C4D);
        buffer.putShort((short) 1).putShort((short) 0).putLong(-1L);
        buffer.putShort((short) 4).putShort((short) application.length).put(application); // shb_userappl
        pad(application.length);
        buffer.putInt(0);
        buffer.putInt(length);
    }

    private static int padded(int n) {
        return (n + 3) & ~3;
    }

    private void pad(int n) {
        for (int i = n; i < padded(n); i++) {
            buffer.put((byte) 0);
        }
    }

    private void room(int bytes) {
        if (buffer.remaining() < bytes) {
            drain();
        }
    }

    private void drain() {
        buffer.flip();
        writeDirect(buffer);
        buffer.clear();
    }

    private void writeDirect(ByteBuffer bytes) {
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pcapng output: " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("pcapng writer is closed");
        }
    }

    /** Writes out what is buffered. */
    public void flush() {
        ensureOpen();
        drain();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            drain();
        } finally {
            closed = true;
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close pcapng output: " + e.getMessage(), e);
            }
        }
    }
}
