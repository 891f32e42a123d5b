package dev.capstream.flink.reader;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import dev.capstream.avro.Vlan;
import dev.capstream.capture.Frame;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Builds the Avro {@link CapturedFrame} of a frame: the same fields and meanings the sidecar's
 * encoder writes, with the frame's bytes copied into the record.
 */
public final class CapturedFrameConverter implements FrameConverter<CapturedFrame> {

    private static final long serialVersionUID = 1L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final Direction[] DIRECTIONS = Direction.values();
    private static final TimestampSource[] TIMESTAMP_SOURCES = timestampSources();

    @Override
    public CapturedFrame convert(Frame frame, FrameOrigin origin, long sequence, long kernelDrops) {
        long nanos = frame.timestampNanos();
        Instant timestamp = Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND),
                Math.floorMod(nanos, NANOS_PER_SECOND));
        int packetType = frame.packetType();
        Direction direction = packetType >= 0 && packetType < DIRECTIONS.length - 1
                ? DIRECTIONS[packetType]
                : Direction.UNKNOWN;
        CapturedFrame record = new CapturedFrame();
        record.setTimestamp(timestamp);
        record.setTimestampSource(TIMESTAMP_SOURCES[frame.timestampSource().ordinal()]);
        record.setHost(origin.host());
        record.setSplit(origin.splitId());
        record.setInterfaceName(origin.interfaces().interfaceName(frame.interfaceIndex()));
        record.setInterfaceIndex(frame.interfaceIndex());
        record.setLinkType(origin.interfaces().linkType(frame.interfaceIndex()));
        record.setCapturedLength(frame.captureLength());
        record.setWireLength(frame.wireLength());
        record.setVlan(frame.hasVlan() ? new Vlan(frame.vlanTpid(), frame.vlanTci()) : null);
        record.setRxhash(Integer.toUnsignedLong(frame.rxHash()));
        record.setDirection(direction);
        record.setSequence(sequence);
        record.setKernelDrops(kernelDrops);
        record.setData(ByteBuffer.wrap(FrameBytes.copy(frame)));
        return record;
    }

    // Matched by name, so reordering either enum cannot mislabel frames; a capture source the
    // schema does not know becomes the schema's UNKNOWN, as a reader of a newer writer would.
    private static TimestampSource[] timestampSources() {
        dev.capstream.capture.TimestampSource[] sources = dev.capstream.capture.TimestampSource.values();
        TimestampSource[] mapped = new TimestampSource[sources.length];
        for (dev.capstream.capture.TimestampSource source : sources) {
            TimestampSource avro;
            try {
                avro = TimestampSource.valueOf(source.name());
            } catch (IllegalArgumentException unknown) {
                avro = TimestampSource.UNKNOWN;
            }
            mapped[source.ordinal()] = avro;
        }
        return mapped;
    }
}
