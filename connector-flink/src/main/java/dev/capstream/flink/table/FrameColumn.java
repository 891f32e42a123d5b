package dev.capstream.flink.table;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;

/**
 * The columns a {@code 'capstream'} table may declare: the fields of the {@code CapturedFrame}
 * Avro record, under the same names, as SQL types.
 */
enum FrameColumn {
    TIMESTAMP("timestamp", DataTypes.TIMESTAMP_LTZ(9)),
    TIMESTAMP_SOURCE("timestamp_source", DataTypes.STRING()),
    HOST("host", DataTypes.STRING()),
    SPLIT("split", DataTypes.STRING()),
    INTERFACE_NAME("interface_name", DataTypes.STRING()),
    INTERFACE_INDEX("interface_index", DataTypes.INT()),
    LINK_TYPE("link_type", DataTypes.INT()),
    CAPTURED_LENGTH("captured_length", DataTypes.INT()),
    WIRE_LENGTH("wire_length", DataTypes.INT()),
    VLAN("vlan", DataTypes.ROW(DataTypes.FIELD("tpid", DataTypes.INT()), DataTypes.FIELD("tci", DataTypes.INT()))),
    RXHASH("rxhash", DataTypes.BIGINT()),
    DIRECTION("direction", DataTypes.STRING()),
    SEQUENCE("sequence", DataTypes.BIGINT()),
    KERNEL_DROPS("kernel_drops", DataTypes.BIGINT()),
    DATA("data", DataTypes.BYTES());

    final String columnName;
    final DataType type;

    FrameColumn(String columnName, DataType type) {
        this.columnName = columnName;
        this.type = type;
    }

    static FrameColumn named(String name) {
        for (FrameColumn c : values()) {
            if (c.columnName.equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The whole schema as DDL, for error messages. */
    static String ddl() {
        StringBuilder b = new StringBuilder();
        for (FrameColumn c : values()) {
            b.append(b.isEmpty() ? "" : ", ").append('`').append(c.columnName).append("` ").append(c.type);
        }
        return b.toString();
    }
}
