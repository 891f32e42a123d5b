package dev.capstream.flink.table;

import dev.capstream.capture.Frame;
import dev.capstream.flink.deserializer.FrameBytes;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.deserializer.FrameOrigin;
import dev.capstream.records.FrameSymbols;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Builds a table row straight from a frame: only the declared (and projected) columns, so a query
 * that does not select {@code data} never copies a frame's bytes. Enum columns hold the schema's
 * symbols ({@link FrameSymbols}), as the Avro records do.
 */
final class RowDataFrameDeserializer implements FrameDeserializer<RowData> {

    private static final long serialVersionUID = 1L;

    private final FrameColumn[] columns;
    private final long timestampUnitNanos;
    private final TypeInformation<RowData> rowType;

    /**
     * @param timestampPrecision the declared precision of {@code timestamp} (0 to 9 fractional
     *     digits): capture times are truncated to it
     * @param rowType the rows' type, as the planner gives it
     */
    RowDataFrameDeserializer(FrameColumn[] columns, int timestampPrecision, TypeInformation<RowData> rowType) {
        this.rowType = rowType;
        this.columns = columns.clone();
        this.timestampUnitNanos = (long) Math.pow(10, 9 - timestampPrecision);
    }

    @Override
    public RowData convert(Frame frame, FrameOrigin origin, long sequence, long kernelDrops) {
        GenericRowData row = new GenericRowData(columns.length);
        for (int i = 0; i < columns.length; i++) {
            row.setField(i, value(columns[i], frame, origin, sequence, kernelDrops, timestampUnitNanos));
        }
        return row;
    }

    private static Object value(FrameColumn column, Frame frame, FrameOrigin origin, long sequence, long kernelDrops,
            long timestampUnitNanos) {
        return switch (column) {
            case TIMESTAMP -> {
                long nanos = frame.timestampNanos() - Math.floorMod(frame.timestampNanos(), timestampUnitNanos);
                yield TimestampData.fromEpochMillis(Math.floorDiv(nanos, 1_000_000L),
                        (int) Math.floorMod(nanos, 1_000_000L));
            }
            case TIMESTAMP_SOURCE -> StringData.fromString(FrameSymbols.timestampSource(frame.timestampSource()).name());
            case HOST -> StringData.fromString(origin.host());
            case SPLIT -> StringData.fromString(origin.splitId());
            case INTERFACE_NAME -> StringData.fromString(origin.interfaces().interfaceName(frame.interfaceIndex()));
            case INTERFACE_INDEX -> frame.interfaceIndex();
            case LINK_TYPE -> origin.interfaces().linkType(frame.interfaceIndex());
            case CAPTURED_LENGTH -> frame.captureLength();
            case WIRE_LENGTH -> frame.wireLength();
            case VLAN -> frame.hasVlan() ? GenericRowData.of(frame.vlanTpid(), frame.vlanTci()) : null;
            case RXHASH -> Integer.toUnsignedLong(frame.rxHash());
            case DIRECTION -> StringData.fromString(FrameSymbols.direction(frame.packetType()).name());
            case SEQUENCE -> sequence;
            case KERNEL_DROPS -> kernelDrops;
            case DATA -> FrameBytes.copy(frame);
        };
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return rowType;
    }
}
