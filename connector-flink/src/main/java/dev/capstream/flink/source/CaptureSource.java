package dev.capstream.flink.source;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.flink.deserializer.FrameDeserializer;

/**
 * A FLIP-27 source of captured frames as Avro {@link CapturedFrame} records: live capture from
 * AF_PACKET rings on the hosts that own the interfaces (unbounded), or a replay of pcap/pcapng
 * files (bounded). Each record carries its capture time as its event timestamp.
 *
 * <pre>{@code
 * CaptureSource source = CaptureSource.builder().hosts("probe-1").interfaces("eth0").fanoutMembers(2).build();
 * DataStream<CapturedFrame> frames = env.fromSource(source,
 *         WatermarkStrategy.<CapturedFrame>forBoundedOutOfOrderness(Duration.ofMillis(200))
 *                 .withIdleness(Duration.ofSeconds(5)),
 *         "capture");
 * }</pre>
 *
 * <p>Records travel between operators through flink-avro's {@code AvroSerializer}, so jobs run
 * with {@code pipeline.generic-types: false}. For other record types (the frame's bytes, or a type
 * of your own) see {@link CaptureSourceBuilder#build(FrameDeserializer)}.
 */
public final class CaptureSource extends AbstractCaptureSource<CapturedFrame> {

    private static final long serialVersionUID = 1L;

    CaptureSource(CaptureSourceSpec spec) {
        super(spec, FrameDeserializer.capturedFrames());
    }

    public static CaptureSourceBuilder builder() {
        return new CaptureSourceBuilder();
    }
}
