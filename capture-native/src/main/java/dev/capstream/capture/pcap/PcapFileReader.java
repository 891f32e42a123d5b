package dev.capstream.capture.pcap;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a classic pcap or a pcapng file as a bounded split. Records are parsed in place in a fixed
 * native buffer ({@link FileWindow}); a poll hands over the complete records that buffer holds (up
 * to {@link PcapReadOptions#framesPerBlock()}), and the buffer is only refilled after the block is
 * released, so frames are views, never copies.
 *
 * <p>Every record or block advances the read position by at least 12 bytes, lengths are checked
 * against the block they sit in and against {@link PcapReadOptions#maxBlockBytes()}, so a hostile
 * file ends in a {@link PcapFormatException} naming the byte offset: no loop without progress, no
 * allocation sized by the file.
 */
final class PcapFileReader implements SplitReader {

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    private static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    private static final int PCAP_MAGIC_MODIFIED = 0xA1B2CD34;
    private static final int PCAP_HEADER_BYTES = 24;
    private static final int PCAP_RECORD_HEADER_BYTES = 16;

    static final int BLOCK_SHB = 0x0A0D0D0A;
    static final int BLOCK_IDB = 0x00000001;
    static final int BLOCK_OPB = 0x00000002;
    static final int BLOCK_SPB = 0x00000003;
    static final int BLOCK_EPB = 0x00000006;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    private static final int OPT_END = 0;
    private static final int OPT_IF_NAME = 2;
    private static final int OPT_IF_TSRESOL = 9;
    private static final int OPT_IF_TSOFFSET = 14;
    private static final int OPT_PACKET_FLAGS = 2;

    /** Interfaces a file may declare, over all its sections; each costs a little memory. */
    static final int MAX_INTERFACES = 4096;
    /** Longest interface name kept; longer ones are cut (names are labels, not data). */
    static final int MAX_NAME_BYTES = 256;

    private static final long MAX_PACING_WAIT_NANOS = TimeUnit.DAYS.toNanos(365);

    // Outcomes of parsing one record or block.
    private static final int FRAME = 1;
    private static final int META = 2;
    private static final int NEED_INPUT = 3;
    private static final int NOT_DUE = 4;
    private static final int PACKET_AHEAD = 5;
    private static final int BLOCK_FULL = 6;

    private enum Format { PCAP, PCAPNG }

    private final SplitAddress.PcapFile address;
    private final String source;
    private final String fileName;
    private final ReadableByteChannel channel;
    private final Arena arena;
    private final FileWindow window;
    private final MemorySegment buffer;
    private final FileBlockCursor cursor;
    private final int maxBlockBytes;
    private final double speed;

    private Format format;
    private boolean bigEndian;
    private final List<FileInterface> interfaces = new ArrayList<>();
    private int sectionBase;
    private int sectionInterfaces;
    private long lastTimestamp;
    private String primaryName;
    private int primaryLinkType = 1;

    // What the last parse that returned NEED_INPUT wants: bytes in the window, or a block skipped.
    private int neededBytes;
    private long skipBytes;
    private String neededFor;

    private boolean paceStarted;
    private long paceWallStart;
    private long paceFileStart;
    private long dueNanos;

    private boolean holding;
    private boolean finished;
    private volatile boolean closed;
    private CaptureException failure;

    private volatile long framesSeen;
    private volatile long framesRead;
    private volatile long bytesRead;

    private PcapFileReader(SplitAddress.PcapFile address, ReadableByteChannel channel, PcapReadOptions options) {
        this.address = address;
        this.source = "pcap file " + address.path();
        Path name = address.path().getFileName();
        this.fileName = name == null ? address.path().toString() : name.toString();
        this.channel = channel;
        this.maxBlockBytes = options.maxBlockBytes();
        this.speed = options.speed();
        this.arena = Arena.ofShared();
        this.window = new FileWindow(channel, arena, Math.max(options.maxBlockBytes(), 64 * 1024));
        this.buffer = window.segment();
        this.cursor = new FileBlockCursor(buffer, options.framesPerBlock());
    }

    /**
     * Opens the reader on an open channel and reads the file's header (and, for pcapng, every block
     * before the first packet), so the interfaces are known. Closes the channel when it fails.
     */
    static PcapFileReader open(SplitAddress.PcapFile address, ReadableByteChannel channel, PcapReadOptions options) {
        PcapFileReader reader = new PcapFileReader(address, channel, options);
        try {
            reader.readPreamble();
            return reader;
        } catch (RuntimeException | Error e) {
            reader.close();
            throw e;
        }
    }

    private void readPreamble() {
        try {
            if (!window.fill(4)) {
                throw format(0, window.available() == 0
                        ? "the file is empty: not a pcap or pcapng file"
                        : "the file has only " + window.available() + " bytes: too short for a pcap or pcapng header");
            }
            int magic = buffer.get(INT_LE, window.position());
            if (magic == BLOCK_SHB) {
                format = Format.PCAPNG;
                readPcapngPreamble();
            } else {
                format = Format.PCAP;
                readPcapHeader(magic);
            }
        } catch (IOException e) {
            throw ioFailure(e);
        }
        if (!interfaces.isEmpty()) {
            primaryName = interfaces.getFirst().name();
            primaryLinkType = interfaces.getFirst().linkType();
        } else {
            primaryName = fileName;
        }
    }

    private void readPcapHeader(int magicLittleEndian) throws IOException {
        FileInterface.Resolution resolution;
        if (magicLittleEndian == PCAP_MAGIC_MICROS || magicLittleEndian == PCAP_MAGIC_NANOS) {
            bigEndian = false;
            resolution = magicLittleEndian == PCAP_MAGIC_NANOS ? FileInterface.Resolution.NANOS : FileInterface.Resolution.MICROS;
        } else if (Integer.reverseBytes(magicLittleEndian) == PCAP_MAGIC_MICROS
                || Integer.reverseBytes(magicLittleEndian) == PCAP_MAGIC_NANOS) {
            bigEndian = true;
            resolution = Integer.reverseBytes(magicLittleEndian) == PCAP_MAGIC_NANOS
                    ? FileInterface.Resolution.NANOS : FileInterface.Resolution.MICROS;
        } else if (magicLittleEndian == PCAP_MAGIC_MODIFIED || Integer.reverseBytes(magicLittleEndian) == PCAP_MAGIC_MODIFIED) {
            throw format(0, "this is a 'modified' (Kuznetsov) pcap file, which capstream does not read;"
                    + " convert it with: editcap -F pcap IN OUT");
        } else {
            throw format(0, "not a pcap or pcapng file: it starts with "
                    + HexFormat.ofDelimiter(" ").formatHex(buffer.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE))
                    + ", expected a pcap magic (A1 B2 C3 D4 or A1 B2 3C 4D, either byte order) or a pcapng section header (0A 0D 0D 0A)");
        }
        if (!window.fill(PCAP_HEADER_BYTES)) {
            throw format(0, "the file ends inside the 24-byte pcap file header (" + window.available() + " bytes)");
        }
        int p = window.position();
        int major = u16(p + 4);
        int minor = u16(p + 6);
        if (major != 2) {
            throw format(4, "pcap version " + major + "." + minor + " is not supported (expected 2.4)");
        }
        long snapLength = u32(p + 16);
        int linkType = (int) (u32(p + 20) & 0xFFFF);
        interfaces.add(new FileInterface(0, fileName, linkType, snapLength, resolution, 0));
        sectionInterfaces = 1;
        window.consume(PCAP_HEADER_BYTES);
    }

    private void readPcapngPreamble() throws IOException {
        while (true) {
            int outcome = parsePcapngBlock(true, 0);
            if (outcome == PACKET_AHEAD) {
                return;
            }
            if (outcome == NEED_INPUT && !readMore()) {
                finished = true;
                return;
            }
        }
    }

    @Override
    public FrameCursor poll(long timeoutMillis) {
        SplitReader.checkPoll(address, closed, timeoutMillis, holding, "block");
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return null;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMillis, TimeUnit.DAYS.toMillis(1)));
        try {
            while (true) {
                cursor.clear();
                long now = System.nanoTime();
                int outcome = fillBlock(now);
                if (cursor.size() > 0) {
                    holding = true;
                    framesSeen += cursor.size();
                    return cursor;
                }
                if (outcome == NEED_INPUT) {
                    if (!readMore()) {
                        finished = true;
                        return null;
                    }
                } else if (outcome == NOT_DUE) {
                    long wait = Math.min(dueNanos, deadline) - now;
                    if (deadline - now <= 0) {
                        return null;
                    }
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
            }
        } catch (PcapFormatException e) {
            failure = e;
            throw e;
        } catch (IOException e) {
            failure = ioFailure(e);
            throw failure;
        }
    }

    private int fillBlock(long now) {
        while (cursor.size() < cursor.capacity()) {
            int outcome = format == Format.PCAP ? parsePcapRecord(now) : parsePcapngBlock(false, now);
            if (outcome != FRAME && outcome != META) {
                return outcome;
            }
        }
        return BLOCK_FULL;
    }

    /** Does the I/O the last NEED_INPUT asked for; false at a clean end of file. */
    private boolean readMore() throws IOException {
        if (skipBytes > 0) {
            long offset = window.offset();
            long bytes = skipBytes;
            skipBytes = 0;
            if (!window.skip(bytes)) {
                throw format(offset, "the file ends inside a block of " + bytes + " bytes that starts here: the file is truncated");
            }
            return true;
        }
        if (window.fill(neededBytes)) {
            return true;
        }
        if (window.available() == 0) {
            return false;
        }
        throw format(window.offset(), "the file ends " + window.available() + " bytes into " + neededFor + " that needs "
                + neededBytes + " bytes: the file is truncated (was it still being written?)");
    }

    private int needInput(int bytes, String what) {
        neededBytes = bytes;
        neededFor = what;
        skipBytes = 0;
        return NEED_INPUT;
    }

    // ---------------------------------------------------------------- classic pcap

    private int parsePcapRecord(long now) {
        int p = window.position();
        if (window.available() < PCAP_RECORD_HEADER_BYTES) {
            return needInput(PCAP_RECORD_HEADER_BYTES, "a record header");
        }
        long seconds = u32(p);
        long fraction = u32(p + 4);
        long captured = u32(p + 8);
        long wire = u32(p + 12);
        if (captured > maxBlockBytes - PCAP_RECORD_HEADER_BYTES) {
            throw format(window.offset(), "the record's captured length " + captured + " is over the limit of "
                    + (maxBlockBytes - PCAP_RECORD_HEADER_BYTES) + " bytes per frame (maxBlockBytes " + maxBlockBytes
                    + " minus the 16-byte record header); the file is corrupt, or raise maxBlockBytes");
        }
        if (wire > Integer.MAX_VALUE) {
            throw format(window.offset() + 12, "the record's wire length " + wire + " is over 2^31-1");
        }
        int total = PCAP_RECORD_HEADER_BYTES + (int) captured;
        if (window.available() < total) {
            return needInput(total, "a record");
        }
        FileInterface iface = interfaces.getFirst();
        long timestamp = seconds * 1_000_000_000L + (iface.resolution() == FileInterface.Resolution.NANOS ? fraction : fraction * 1_000L);
        if (!due(timestamp, now)) {
            return NOT_DUE;
        }
        lastTimestamp = timestamp;
        cursor.add(timestamp, p + PCAP_RECORD_HEADER_BYTES, (int) captured, (int) wire, 0, FileBlockCursor.PACKET_TYPE_UNKNOWN);
        window.consume(total);
        return FRAME;
    }

    // ---------------------------------------------------------------- pcapng

    private int parsePcapngBlock(boolean stopAtPacket, long now) {
        int p = window.position();
        int available = window.available();
        long offset = window.offset();
        if (available < 8) {
            return needInput(8, "a block header");
        }
        int rawType = buffer.get(INT_LE, p);
        boolean sectionHeader = rawType == BLOCK_SHB;
        boolean blockBigEndian = bigEndian;
        if (sectionHeader) {
            if (available < 12) {
                return needInput(12, "a section header block");
            }
            if (buffer.get(INT_BE, p + 8) == BYTE_ORDER_MAGIC) {
                blockBigEndian = true;
            } else if (buffer.get(INT_LE, p + 8) == BYTE_ORDER_MAGIC) {
                blockBigEndian = false;
            } else {
                throw format(offset + 8, "section header block without the byte-order magic 1A2B3C4D (found "
                        + HexFormat.ofDelimiter(" ").formatHex(buffer.asSlice(p + 8, 4).toArray(ValueLayout.JAVA_BYTE)) + ")");
            }
        }
        int type = sectionHeader ? BLOCK_SHB : (blockBigEndian ? Integer.reverseBytes(rawType) : rawType);
        long length = Integer.toUnsignedLong(buffer.get(blockBigEndian ? INT_BE : INT_LE, p + 4));
        if (length < 12 || length % 4 != 0) {
            throw format(offset + 4, "block of type 0x" + Integer.toHexString(type) + " has total length " + length
                    + ": a pcapng block is a multiple of 4 bytes, at least 12");
        }
        boolean used = type == BLOCK_SHB || type == BLOCK_IDB || type == BLOCK_EPB || type == BLOCK_SPB || type == BLOCK_OPB;
        if (!used) {
            if (available < length) {
                neededBytes = 0;
                skipBytes = length;
                return NEED_INPUT;
            }
            checkTrailer(p, (int) length, offset, blockBigEndian);
            window.consume((int) length);
            return META;
        }
        if (length > maxBlockBytes) {
            throw format(offset, blockName(type) + " of " + length + " bytes is over the limit of " + maxBlockBytes
                    + " bytes per block (maxBlockBytes); the file is corrupt, or raise the limit");
        }
        if (available < length) {
            return needInput((int) length, "a " + blockName(type));
        }
        checkTrailer(p, (int) length, offset, blockBigEndian);
        int len = (int) length;
        switch (type) {
            case BLOCK_SHB -> {
                readSectionHeader(p, len, offset, blockBigEndian);
                return META;
            }
            case BLOCK_IDB -> {
                readInterface(p, len, offset);
                return META;
            }
            default -> {
                if (stopAtPacket) {
                    return PACKET_AHEAD;
                }
                return readPacket(type, p, len, offset, now);
            }
        }
    }

    private void checkTrailer(int p, int length, long offset, boolean blockBigEndian) {
        long trailer = Integer.toUnsignedLong(buffer.get(blockBigEndian ? INT_BE : INT_LE, p + length - 4));
        if (trailer != length) {
            throw format(offset, "block's trailing length " + trailer + " differs from its leading length " + length);
        }
    }

    private void readSectionHeader(int p, int length, long offset, boolean sectionBigEndian) {
        if (length < 28) {
            throw format(offset, "section header block of " + length + " bytes is shorter than the 28 it needs");
        }
        bigEndian = sectionBigEndian;
        int major = u16(p + 12);
        int minor = u16(p + 14);
        if (major != 1) {
            throw format(offset + 12, "pcapng version " + major + "." + minor + " is not supported (expected 1.x)");
        }
        sectionBase = interfaces.size();
        sectionInterfaces = 0;
        window.consume(length);
    }

    private void readInterface(int p, int length, long offset) {
        if (length < 20) {
            throw format(offset, "interface description block of " + length + " bytes is shorter than the 20 it needs");
        }
        if (interfaces.size() >= MAX_INTERFACES) {
            throw format(offset, "more than " + MAX_INTERFACES + " interface description blocks in one file");
        }
        int linkType = u16(p + 8);
        long snapLength = u32(p + 12);
        String name = null;
        FileInterface.Resolution resolution = FileInterface.Resolution.MICROS;
        long offsetSeconds = 0;
        int end = p + length - 4;
        int q = p + 16;
        while (q + 4 <= end) {
            int code = u16(q);
            int size = u16(q + 2);
            if (code == OPT_END) {
                break;
            }
            if (q + 4 + size > end) {
                throw format(offset + (q - p), "option " + code + " of " + size + " bytes runs past the end of its interface description block");
            }
            switch (code) {
                case OPT_IF_NAME -> name = utf8(q + 4, size);
                case OPT_IF_TSRESOL -> {
                    if (size >= 1) {
                        resolution = FileInterface.Resolution.fromTsresol(buffer.get(ValueLayout.JAVA_BYTE, q + 4) & 0xFF);
                        if (!resolution.supported()) {
                            throw format(offset + (q - p), "if_tsresol " + resolution + " is finer than capstream converts (2^-63 s)");
                        }
                    }
                }
                case OPT_IF_TSOFFSET -> {
                    if (size == 8) {
                        offsetSeconds = u64(q + 4);
                    }
                }
                default -> { }
            }
            q += 4 + ((size + 3) & ~3);
        }
        int index = interfaces.size();
        interfaces.add(new FileInterface(index, name == null || name.isEmpty() ? fileName + "#" + index : name,
                linkType, snapLength, resolution, offsetSeconds));
        sectionInterfaces++;
        window.consume(length);
    }

    private int readPacket(int type, int p, int length, long offset, long now) {
        int interfaceId;
        long units;
        long captured;
        long wire;
        int data;
        boolean hasTimestamp = true;
        switch (type) {
            case BLOCK_EPB -> {
                requireLength(type, length, 32, offset);
                interfaceId = (int) Math.min(u32(p + 8), Integer.MAX_VALUE);
                units = (u32(p + 12) << 32) | u32(p + 16);
                captured = u32(p + 20);
                wire = u32(p + 24);
                data = p + 28;
            }
            case BLOCK_OPB -> {
                requireLength(type, length, 32, offset);
                interfaceId = u16(p + 8);
                units = (u32(p + 12) << 32) | u32(p + 16);
                captured = u32(p + 20);
                wire = u32(p + 24);
                data = p + 28;
            }
            default -> { // BLOCK_SPB
                requireLength(type, length, 16, offset);
                interfaceId = 0;
                units = 0;
                hasTimestamp = false;
                wire = u32(p + 8);
                data = p + 12;
                captured = Math.min(wire, length - 16);
            }
        }
        if (interfaceId >= sectionInterfaces) {
            throw format(offset + 8, blockName(type) + " refers to interface " + interfaceId + ", but its section defines "
                    + sectionInterfaces + " interface(s) before it");
        }
        FileInterface iface = interfaces.get(sectionBase + interfaceId);
        if (type == BLOCK_SPB && iface.snapLength() > 0) {
            captured = Math.min(captured, iface.snapLength());
        }
        int end = p + length - 4;
        long paddedEnd = data + ((captured + 3) & ~3L);
        if (paddedEnd > end) {
            throw format(offset + 20, blockName(type) + "'s captured length " + captured + " does not fit its block of "
                    + length + " bytes");
        }
        if (wire > Integer.MAX_VALUE) {
            throw format(offset + 24, blockName(type) + "'s original length " + wire + " is over 2^31-1");
        }
        int packetType = type == BLOCK_SPB ? FileBlockCursor.PACKET_TYPE_UNKNOWN : packetType((int) paddedEnd, end, p, offset);
        long timestamp;
        if (hasTimestamp) {
            try {
                timestamp = Math.addExact(iface.resolution().toNanos(units),
                        Math.multiplyExact(iface.offsetSeconds(), 1_000_000_000L));
            } catch (ArithmeticException e) {
                throw format(offset + 12, "timestamp " + Long.toUnsignedString(units) + " in units of " + iface.resolution()
                        + " (offset " + iface.offsetSeconds() + " s) is outside the years 1678 to 2262");
            }
        } else {
            timestamp = lastTimestamp; // a simple packet block has none: time in a file only moves on
        }
        if (!due(timestamp, now)) {
            return NOT_DUE;
        }
        lastTimestamp = timestamp;
        cursor.add(timestamp, data, (int) captured, (int) wire, sectionBase + interfaceId, packetType);
        window.consume(length);
        return FRAME;
    }

    /** Linux packet type from {@code epb_flags}/{@code opb_flags}: direction and reception type. */
    private int packetType(int q, int end, int p, long offset) {
        int type = FileBlockCursor.PACKET_TYPE_UNKNOWN;
        while (q + 4 <= end) {
            int code = u16(q);
            int size = u16(q + 2);
            if (code == OPT_END) {
                break;
            }
            if (q + 4 + size > end) {
                throw format(offset + (q - p), "option " + code + " of " + size + " bytes runs past the end of its packet block");
            }
            if (code == OPT_PACKET_FLAGS && size == 4) {
                type = packetTypeOf((int) u32(q + 4));
            }
            q += 4 + ((size + 3) & ~3);
        }
        return type;
    }

    static int packetTypeOf(int flags) {
        int direction = flags & 0x3;
        int reception = (flags >>> 2) & 0x7;
        if (direction == 2) {
            return 4; // PACKET_OUTGOING
        }
        return switch (reception) {
            case 1 -> direction == 1 ? 0 : FileBlockCursor.PACKET_TYPE_UNKNOWN; // unicast to us: PACKET_HOST
            case 2 -> 2; // PACKET_MULTICAST
            case 3 -> 1; // PACKET_BROADCAST
            case 4 -> 3; // promiscuous: PACKET_OTHERHOST
            default -> FileBlockCursor.PACKET_TYPE_UNKNOWN;
        };
    }

    private void requireLength(int type, int length, int minimum, long offset) {
        if (length < minimum) {
            throw format(offset, blockName(type) + " of " + length + " bytes is shorter than the " + minimum + " it needs");
        }
    }

    private static String blockName(int type) {
        return switch (type) {
            case BLOCK_SHB -> "section header block";
            case BLOCK_IDB -> "interface description block";
            case BLOCK_EPB -> "enhanced packet block";
            case BLOCK_SPB -> "simple packet block";
            case BLOCK_OPB -> "packet block (obsolete)";
            default -> "block of type 0x" + Integer.toHexString(type);
        };
    }

    // ---------------------------------------------------------------- pacing

    private boolean due(long timestamp, long now) {
        if (speed == 0) {
            return true;
        }
        if (!paceStarted) {
            paceStarted = true;
            paceWallStart = now;
            paceFileStart = timestamp;
            return true;
        }
        long sinceFirst = timestamp - paceFileStart;
        if (sinceFirst <= 0) {
            return true;
        }
        long wait = (long) Math.min(sinceFirst / speed, MAX_PACING_WAIT_NANOS);
        dueNanos = paceWallStart + wait;
        return now - dueNanos >= 0;
    }

    // ---------------------------------------------------------------- field access

    private long u32(int position) {
        return Integer.toUnsignedLong(buffer.get(bigEndian ? INT_BE : INT_LE, position));
    }

    private long u64(int position) {
        long first = u32(position);
        long second = u32(position + 4);
        return bigEndian ? (first << 32) | second : (second << 32) | first;
    }

    private int u16(int position) {
        return buffer.get(bigEndian ? SHORT_BE : SHORT_LE, position) & 0xFFFF;
    }

    private String utf8(int position, int size) {
        int n = Math.min(size, MAX_NAME_BYTES);
        byte[] bytes = buffer.asSlice(position, n).toArray(ValueLayout.JAVA_BYTE);
        int end = n;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private PcapFormatException format(long offset, String problem) {
        return new PcapFormatException(source, offset, problem);
    }

    private CaptureException ioFailure(IOException e) {
        return new CaptureException("cannot read " + source + " at byte offset " + window.offset() + ": " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------- SplitReader

    @Override
    public SplitAddress address() {
        return address;
    }

    /** The first interface's name; the file's name when it declares none. */
    @Override
    public String interfaceName() {
        return primaryName;
    }

    /** 0: a file's interfaces are no kernel interfaces. */
    @Override
    public int interfaceIndex() {
        return 0;
    }

    @Override
    public int linkType() {
        return primaryLinkType;
    }

    @Override
    public String interfaceName(int interfaceIndex) {
        return interfaceIndex >= 0 && interfaceIndex < interfaces.size() ? interfaces.get(interfaceIndex).name() : primaryName;
    }

    @Override
    public int linkType(int interfaceIndex) {
        return interfaceIndex >= 0 && interfaceIndex < interfaces.size() ? interfaces.get(interfaceIndex).linkType() : primaryLinkType;
    }

    /** The interfaces read so far, indexed as frames report them. Polling thread only. */
    List<FileInterface> interfaces() {
        return List.copyOf(interfaces);
    }

    @Override
    public boolean isBounded() {
        return true;
    }

    @Override
    public boolean finished() {
        return finished && !holding;
    }

    @Override
    public void release() {
        if (!holding || closed) {
            return;
        }
        framesRead = framesRead + cursor.size();
        bytesRead = bytesRead + cursor.totalBytes();
        cursor.clear();
        holding = false;
        if (window.available() == 0 && failure == null) {
            try {
                // At the end of the buffer: find out now whether the file is done, so finished() says so.
                if (!window.fill(1)) {
                    finished = true;
                }
            } catch (IOException e) {
                failure = ioFailure(e);
            }
        }
    }

    /** {@code kernelPackets} counts frames handed over from the file; files record no drops here. */
    @Override
    public CaptureStats stats() {
        return new CaptureStats(framesSeen, 0, 0, framesRead, bytesRead);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Reverse order of creation: the buffer, then the file.
        arena.close();
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written; a failing close of a read-only file loses nothing
        }
    }

    @Override
    public String toString() {
        return "PcapFileReader[" + address + ", " + format + ", " + interfaces.size() + " interface(s)]";
    }
}
