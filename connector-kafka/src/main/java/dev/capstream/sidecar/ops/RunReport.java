package dev.capstream.sidecar.ops;

import dev.capstream.pipeline.SplitAccounting;
import java.util.List;

/**
 * The lines a capture run reports on: a {@code stats} line on stderr while it runs and one
 * {@code result=} summary line on stdout at the end, both from the same per-split accounting that
 * {@link MetricsServer} serves. Scripts parse the summary line; its keys are part of the CLI.
 */
public final class RunReport {

    private RunReport() {
    }

    /** Every split's accounting summed into one snapshot named {@code total}. */
    public static SplitAccounting.Snapshot total(List<SplitAccounting> splits) {
        SplitAccounting.Snapshot total = SplitAccounting.Snapshot.empty("total");
        for (SplitAccounting split : splits) {
            total = total.plus(split.snapshot());
        }
        return total;
    }

    public static String statsLine(List<SplitAccounting> splits) {
        return "stats " + total(splits).toKeyValues();
    }

    /** {@code result=ok|partial|failed topic=T captured=... elapsed_ms=N}. */
    public static String summaryLine(String result, String topic, SplitAccounting.Snapshot total, long elapsedMillis) {
        return "result=" + result + " topic=" + topic + " " + total.toKeyValues() + " elapsed_ms="
                + elapsedMillis;
    }
}
