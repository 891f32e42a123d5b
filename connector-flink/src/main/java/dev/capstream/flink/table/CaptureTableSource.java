package dev.capstream.flink.table;

import dev.capstream.flink.source.CaptureSourceSpec;
import java.util.Arrays;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsWatermarkPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/**
 * A {@code 'capstream'} table: the capture source with rows of the declared frame columns. Takes
 * the query's projection (unread columns are never built) and its watermark, so a
 * {@code WATERMARK FOR `timestamp`} is generated per split inside the source.
 */
final class CaptureTableSource implements ScanTableSource, SupportsProjectionPushDown, SupportsWatermarkPushDown {

    private final CaptureSourceSpec spec;
    private final int timestampPrecision;
    private FrameColumn[] columns;
    private DataType producedType;
    private WatermarkStrategy<RowData> watermarks;

    CaptureTableSource(CaptureSourceSpec spec, FrameColumn[] columns, int timestampPrecision, DataType producedType) {
        this.spec = spec;
        this.timestampPrecision = timestampPrecision;
        this.columns = columns;
        this.producedType = producedType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        TypeInformation<RowData> rowType = context.createTypeInformation(producedType);
        RowDataCaptureSource source = new RowDataCaptureSource(spec, columns, timestampPrecision, rowType);
        if (watermarks == null) {
            return SourceProvider.of(source);
        }
        WatermarkStrategy<RowData> strategy = watermarks;
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(ProviderContext provider, StreamExecutionEnvironment env) {
                return env.fromSource(source, strategy, "capstream " + spec)
                        .uid(provider.generateUid("capstream-source").orElse("capstream-source"));
            }

            @Override
            public boolean isBounded() {
                return spec.bounded();
            }
        };
    }

    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
        FrameColumn[] projected = new FrameColumn[projectedFields.length];
        for (int i = 0; i < projectedFields.length; i++) {
            projected[i] = columns[projectedFields[i][0]];
        }
        this.columns = projected;
        this.producedType = producedDataType;
    }

    @Override
    public void applyWatermark(WatermarkStrategy<RowData> watermarkStrategy) {
        this.watermarks = watermarkStrategy;
    }

    @Override
    public DynamicTableSource copy() {
        CaptureTableSource copy = new CaptureTableSource(spec, columns.clone(), timestampPrecision, producedType);
        copy.watermarks = watermarks;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "capstream(" + spec + ", columns " + Arrays.toString(columns) + ")";
    }
}
