package dev.capstream.records;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.Frame;
import dev.capstream.capture.InterfaceTable;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * Writes a captured {@link Frame} as the Avro binary body of a {@link CapturedFrame} record, straight
 * from the frame's accessors into an {@link EncodeBuffer}: no Avro record objects, no per-frame
 * allocation, one copy of the frame's bytes.
 *
 * <p>One encoder per split: the split's constant strings are encoded once, here. Immutable, so it
 * may be shared between threads; the {@link EncodeBuffer} may not.
 */
public final class CapturedFrameEncoder {

    private static final Schema SCHEMA = CapturedFrame.getClassSchema();

    // host, split and interface_name are adjacent in the schema: one pre-encoded run of bytes.
    private final byte[] constantStrings;
    // host and split alone, for frames whose interface is looked up per frame.
    private final byte[] hostAndSplit;
    private final int linkType;

    // The last interface name looked up per frame and its encoding: frames of a split nearly always
    // share one interface, and encoding the name char by char cost the frame path a few percent.
    private String lastInterfaceName;
    private byte[] lastInterfaceNameBytes;
    private final EncodeBuffer nameScratch = new EncodeBuffer(32);

    /**
     * @param host name of the capturing host
     * @param splitId the split's id, e.g. {@code afpacket:eth0#0/2} ({@code SplitAddress.id()})
     * @param interfaceName the captured interface, e.g. {@code eth0}
     * @param linkType the pcap DLT of the frames' link layer (1 for Ethernet)
     */
    public CapturedFrameEncoder(String host, String splitId, String interfaceName, int linkType) {
        EncodeBuffer strings = new EncodeBuffer(64);
        strings.writeString(Objects.requireNonNull(host, "host"));
        strings.writeString(Objects.requireNonNull(splitId, "splitId"));
        this.hostAndSplit = strings.toByteArray();
        strings.writeString(Objects.requireNonNull(interfaceName, "interfaceName"));
        this.constantStrings = strings.toByteArray();
        this.linkType = linkType;
    }

    /**
     * An encoder for a split whose frames may come from several interfaces (a pcapng file): use
     * {@link #encode(Frame, InterfaceTable, long, long, EncodeBuffer)}.
     */
    public CapturedFrameEncoder(String host, String splitId) {
        this(host, splitId, "", 1);
    }

    /** The writer schema of every body this encoder writes. */
    public static Schema schema() {
        return SCHEMA;
    }

    /**
     * Appends the frame's record body (no framing header) to {@code out}.
     *
     * @param sequence the frame's per-split sequence number
     * @param kernelDrops the split's cumulative kernel drop count when the frame was read
     */
    public void encode(Frame frame, long sequence, long kernelDrops, EncodeBuffer out) {
        // Field order must be exactly the schema's: Avro binary has no field tags.
        out.writeLong(frame.timestampNanos());
        out.writeInt(timestampSourceIndex(frame.timestampSource()));
        out.writeBytes(constantStrings);
        out.writeInt(frame.interfaceIndex());
        out.writeInt(linkType);
        encodeRest(frame, sequence, kernelDrops, out);
    }

    /**
     * Like {@link #encode(Frame, long, long, EncodeBuffer)}, with the interface's name and link type
     * looked up per frame by its {@link Frame#interfaceIndex()} (a {@code SplitReader} is such a
     * table). The name is encoded straight from the table's string: no allocation.
     */
    public void encode(Frame frame, InterfaceTable interfaces, long sequence, long kernelDrops, EncodeBuffer out) {
        int index = frame.interfaceIndex();
        out.writeLong(frame.timestampNanos());
        out.writeInt(timestampSourceIndex(frame.timestampSource()));
        out.writeBytes(hostAndSplit);
        out.writeBytes(encodedInterfaceName(interfaces.interfaceName(index)));
        out.writeInt(index);
        out.writeInt(interfaces.linkType(index));
        encodeRest(frame, sequence, kernelDrops, out);
    }

    private byte[] encodedInterfaceName(String name) {
        // By identity: a table hands out the same String for the same interface; an equal copy only
        // costs one more encoding.
        if (name != lastInterfaceName) {
            nameScratch.reset();
            nameScratch.writeString(name);
            lastInterfaceNameBytes = nameScratch.toByteArray();
            lastInterfaceName = name;
        }
        return lastInterfaceNameBytes;
    }

    private static void encodeRest(Frame frame, long sequence, long kernelDrops, EncodeBuffer out) {
        out.writeInt(frame.captureLength());
        out.writeInt(frame.wireLength());
        if (frame.hasVlan()) {
            out.writeInt(1); // union branch 1: Vlan
            out.writeInt(frame.vlanTpid());
            out.writeInt(frame.vlanTci());
        } else {
            out.writeInt(0); // union branch 0: null
        }
        out.writeLong(Integer.toUnsignedLong(frame.rxHash()));
        out.writeInt(directionIndex(frame.packetType()));
        out.writeLong(sequence);
        out.writeLong(kernelDrops);
        var bytes = frame.bytes();
        out.writeLong(bytes.byteSize());
        out.writeBytes(bytes);
    }

    /** Avro enum index of the {@code TimestampSource} symbol for a capture timestamp source ({@link FrameSymbols}). */
    static int timestampSourceIndex(dev.capstream.capture.TimestampSource source) {
        return FrameSymbols.timestampSource(source).ordinal();
    }

    /** Avro enum index of the {@code Direction} symbol for a Linux packet type ({@link FrameSymbols}). */
    static int directionIndex(int packetType) {
        return FrameSymbols.direction(packetType).ordinal();
    }
}
