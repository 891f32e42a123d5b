package dev.capstream.flink.table;

import dev.capstream.flink.source.CaptureSource;
import dev.capstream.flink.source.CaptureSourceOptions;
import dev.capstream.flink.source.CaptureSourceSpec;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * {@code 'connector' = 'capstream'}: a table of captured frames. The options are
 * {@link CaptureSourceOptions}' keys; the columns are any of the {@code CapturedFrame} fields by
 * name ({@code `timestamp` TIMESTAMP_LTZ(p)}: 9 keeps the nanoseconds, 3 makes it a rowtime;
 * {@code data BYTES}, ...).
 *
 * <pre>{@code
 * CREATE TABLE frames (
 *   `timestamp` TIMESTAMP_LTZ(9), interface_name STRING, captured_length INT, data BYTES,
 *   ts AS CAST(`timestamp` AS TIMESTAMP_LTZ(3)),
 *   WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
 * ) WITH ('connector' = 'capstream', 'hosts' = 'probe-1', 'interfaces' = 'eth0', 'fanout-members' = '2');
 * }</pre>
 */
public final class CaptureTableFactory implements DynamicTableSourceFactory {

    public static final String IDENTIFIER = "capstream";

    /** Every option of the source: its own and the capture spec's. */
    private static final Set<ConfigOption<?>> OPTIONS = Set.copyOf(CaptureSourceOptions.all());

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return OPTIONS;
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        CaptureSourceSpec spec;
        try {
            spec = CaptureSource.builder().configure(helper.getOptions()).spec();
        } catch (IllegalArgumentException e) {
            throw new ValidationException("table " + context.getObjectIdentifier().asSummaryString() + ": "
                    + e.getMessage(), e);
        }
        DataType physical = context.getPhysicalRowDataType();
        return new CaptureTableSource(spec, columns(context, physical), timestampPrecision(physical), physical);
    }

    /** The declared precision of `timestamp`: 9 keeps nanoseconds, 3 makes it usable as a rowtime. */
    private static int timestampPrecision(DataType physical) {
        for (RowType.RowField field : ((RowType) physical.getLogicalType()).getFields()) {
            if (field.getName().equals(FrameColumn.TIMESTAMP.columnName)) {
                return ((LocalZonedTimestampType) field.getType()).getPrecision();
            }
        }
        return 9;
    }

    private static FrameColumn[] columns(Context context, DataType physical) {
        RowType row = (RowType) physical.getLogicalType();
        List<RowType.RowField> fields = row.getFields();
        FrameColumn[] columns = new FrameColumn[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            RowType.RowField field = fields.get(i);
            FrameColumn column = FrameColumn.named(field.getName());
            if (column == null) {
                throw new ValidationException("table " + context.getObjectIdentifier().asSummaryString()
                        + ": column `" + field.getName() + "` is not a frame field. A 'capstream' table may declare"
                        + " any of: " + FrameColumn.ddl());
            }
            LogicalType expected = column.type.getLogicalType();
            boolean timestamp = column == FrameColumn.TIMESTAMP && field.getType() instanceof LocalZonedTimestampType;
            if (!timestamp && !field.getType().copy(true).equals(expected.copy(true))) {
                throw new ValidationException("table " + context.getObjectIdentifier().asSummaryString()
                        + ": column `" + field.getName() + "` is declared " + field.getType() + " but capstream"
                        + " produces " + expected + "; declare it as `" + column.columnName + "` " + expected
                        + (column == FrameColumn.TIMESTAMP
                                ? " (any precision from 0 to 9; Flink's rowtime needs 0 to 3: declare TIMESTAMP_LTZ(3),"
                                        + " or add a computed column CAST(`timestamp` AS TIMESTAMP_LTZ(3)))"
                                : " (cast in the query if you need another type)"));
            }
            columns[i] = column;
        }
        return columns;
    }
}
