package dev.capstream.flink.table;

import dev.capstream.flink.source.AbstractCaptureSource;
import dev.capstream.flink.source.CaptureSourceSpec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;

/** The capture source emitting table rows, for the SQL connector. */
final class RowDataCaptureSource extends AbstractCaptureSource<RowData> {

    private static final long serialVersionUID = 1L;

    RowDataCaptureSource(CaptureSourceSpec spec, FrameColumn[] columns, int timestampPrecision,
            TypeInformation<RowData> rowType) {
        super(spec, new RowDataFrameDeserializer(columns, timestampPrecision, rowType));
    }
}
