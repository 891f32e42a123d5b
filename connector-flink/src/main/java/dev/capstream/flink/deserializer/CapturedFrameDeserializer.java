package dev.capstream.flink.deserializer;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Vlan;
import dev.capstream.capture.Frame;
import dev.capstream.records.FrameSymbols;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Builds the Avro {@link CapturedFrame} of a frame: the same fields and meanings the sidecar's
 * encoder writes (enum symbols from {@link FrameSymbols}, as the encoder's), with the frame's bytes
 * copied into the record ({@link FrameDeserializer#capturedFrames()}).
 */
final class CapturedFrameDeserializer implements FrameDeserializer<CapturedFrame> {

    private static final long serialVersionUID = 1L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @Override
    public CapturedFrame convert(Frame frame, FrameOrigin origin, long sequence, long kernelDrops) {
        long nanos = frame.timestampNanos();
        Instant timestamp = Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND),
                Math.floorMod(nanos, NANOS_PER_SECOND));
        CapturedFrame record = new CapturedFrame();
        record.setTimestamp(timestamp);
        record.setTimestampSource(FrameSymbols.timestampSource(frame.timestampSource()));
        record.setHost(origin.host());
        record.setSplit(origin.splitId());
        record.setInterfaceName(origin.interfaces().interfaceName(frame.interfaceIndex()));
        record.setInterfaceIndex(frame.interfaceIndex());
        record.setLinkType(origin.interfaces().linkType(frame.interfaceIndex()));
        record.setCapturedLength(frame.captureLength());
        record.setWireLength(frame.wireLength());
        record.setVlan(frame.hasVlan() ? new Vlan(frame.vlanTpid(), frame.vlanTci()) : null);
        record.setRxhash(Integer.toUnsignedLong(frame.rxHash()));
        record.setDirection(FrameSymbols.direction(frame.packetType()));
        record.setSequence(sequence);
        record.setKernelDrops(kernelDrops);
        record.setData(ByteBuffer.wrap(FrameBytes.copy(frame)));
        return record;
    }

    @Override
    public TypeInformation<CapturedFrame> getProducedType() {
        return CapturedFrameTypeInfo.INSTANCE;
    }
}
