package dev.capstream.records;

import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import org.apache.avro.Schema;

/**
 * The schema's enum symbols for a frame's capture-layer values, in one place for every mapping of
 * a frame (the Avro encoders, the Flink record and row converters). Matched by name, so
 * reordering either side cannot mislabel frames; a value the schema does not know gets the
 * schema's enum default, as a reader of a newer writer would. Lookups are array reads: no
 * allocation on the frame path.
 */
public final class FrameSymbols {

    private static final Direction[] DIRECTIONS = Direction.values();
    private static final Direction UNKNOWN_DIRECTION = Direction.valueOf(Direction.getClassSchema().getEnumDefault());
    private static final TimestampSource[] TIMESTAMP_SOURCES = timestampSources();

    private FrameSymbols() {
    }

    /** The direction of a frame with this Linux packet type ({@code PACKET_HOST} ... {@code PACKET_KERNEL}). */
    public static Direction direction(int packetType) {
        return packetType >= 0 && packetType < DIRECTIONS.length && DIRECTIONS[packetType] != UNKNOWN_DIRECTION
                ? DIRECTIONS[packetType] : UNKNOWN_DIRECTION;
    }

    /** The schema's symbol for the clock a frame's timestamp came from. */
    public static TimestampSource timestampSource(dev.capstream.capture.TimestampSource source) {
        return TIMESTAMP_SOURCES[source.ordinal()];
    }

    private static TimestampSource[] timestampSources() {
        Schema avroEnum = TimestampSource.getClassSchema();
        TimestampSource fallback = TimestampSource.valueOf(avroEnum.getEnumDefault());
        dev.capstream.capture.TimestampSource[] sources = dev.capstream.capture.TimestampSource.values();
        TimestampSource[] mapped = new TimestampSource[sources.length];
        for (dev.capstream.capture.TimestampSource source : sources) {
            mapped[source.ordinal()] = avroEnum.hasEnumSymbol(source.name()) ? TimestampSource.valueOf(source.name())
                    : fallback;
        }
        return mapped;
    }
}
