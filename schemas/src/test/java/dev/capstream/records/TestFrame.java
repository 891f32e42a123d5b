package dev.capstream.records;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.Vlan;
import dev.capstream.capture.Frame;
import dev.capstream.capture.TimestampSource;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Instant;

/** A {@link Frame} with fixed values over a segment, standing in for a ring slot. */
record TestFrame(
        long timestampNanos,
        TimestampSource timestampSource,
        int captureLength,
        int wireLength,
        int interfaceIndex,
        boolean hasVlan,
        int vlanTci,
        int vlanTpid,
        int rxHash,
        int packetType,
        MemorySegment bytes) implements Frame {

    /** An untagged Ethernet-sized frame from the kernel clock, its bytes counting up from 0. */
    static TestFrame plain(int length) {
        return new TestFrame(1_700_000_000_123_456_789L, TimestampSource.SOFTWARE, length, length, 2,
                false, 0, 0, 0x1234_5678, 0, counting(length));
    }

    TestFrame withVlan(int tpid, int tci) {
        return new TestFrame(timestampNanos, timestampSource, captureLength, wireLength, interfaceIndex,
                true, tci, tpid, rxHash, packetType, bytes);
    }

    TestFrame withPacketType(int type) {
        return new TestFrame(timestampNanos, timestampSource, captureLength, wireLength, interfaceIndex,
                hasVlan, vlanTci, vlanTpid, rxHash, type, bytes);
    }

    TestFrame withTimestamp(long nanos, TimestampSource source) {
        return new TestFrame(nanos, source, captureLength, wireLength, interfaceIndex,
                hasVlan, vlanTci, vlanTpid, rxHash, packetType, bytes);
    }

    TestFrame withRxHash(int hash) {
        return new TestFrame(timestampNanos, timestampSource, captureLength, wireLength, interfaceIndex,
                hasVlan, vlanTci, vlanTpid, hash, packetType, bytes);
    }

    TestFrame withWireLength(int length) {
        return new TestFrame(timestampNanos, timestampSource, captureLength, length, interfaceIndex,
                hasVlan, vlanTci, vlanTpid, rxHash, packetType, bytes);
    }

    TestFrame withInterface(int index) {
        return new TestFrame(timestampNanos, timestampSource, captureLength, wireLength, index,
                hasVlan, vlanTci, vlanTpid, rxHash, packetType, bytes);
    }

    /** The frame as a FrameBatch item, built through Avro's builder. */
    dev.capstream.avro.BatchFrame expectedInBatch() {
        byte[] data = bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return dev.capstream.avro.BatchFrame.newBuilder()
                .setTimestamp(Instant.ofEpochSecond(0, timestampNanos))
                .setTimestampSource(dev.capstream.avro.TimestampSource.valueOf(timestampSource.name()))
                .setInterfaceIndex(interfaceIndex)
                .setCapturedLength(captureLength)
                .setWireLength(wireLength)
                .setVlan(hasVlan ? new Vlan(vlanTpid, vlanTci) : null)
                .setRxhash(rxHash & 0xFFFF_FFFFL)
                .setDirection(packetType >= 0 && packetType < 8 ? Direction.values()[packetType] : Direction.UNKNOWN)
                .setData(ByteBuffer.wrap(data))
                .build();
    }

    /** What a consumer should read back, built independently of the encoder through Avro's builder. */
    CapturedFrame expected(String host, String split, String iface, int linkType, long sequence, long drops) {
        byte[] data = bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return CapturedFrame.newBuilder()
                .setTimestamp(Instant.ofEpochSecond(0, timestampNanos))
                .setTimestampSource(dev.capstream.avro.TimestampSource.valueOf(timestampSource.name()))
                .setHost(host)
                .setSplit(split)
                .setInterfaceName(iface)
                .setInterfaceIndex(interfaceIndex)
                .setLinkType(linkType)
                .setCapturedLength(captureLength)
                .setWireLength(wireLength)
                .setVlan(hasVlan ? new Vlan(vlanTpid, vlanTci) : null)
                .setRxhash(rxHash & 0xFFFF_FFFFL)
                .setDirection(packetType >= 0 && packetType < 8 ? Direction.values()[packetType] : Direction.UNKNOWN)
                .setSequence(sequence)
                .setKernelDrops(drops)
                .setData(ByteBuffer.wrap(data))
                .build();
    }

    static MemorySegment counting(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) i;
        }
        return MemorySegment.ofArray(data);
    }
}
