package dev.capstream.flink.testing;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Pairs each {@code byte[]} record with the event timestamp Flink carried with it. */
public final class WithEventTime extends ProcessFunction<byte[], Tuple2<byte[], Long>> {
    private static final long serialVersionUID = 1L;

    /** The type of what this emits, for {@code .returns(...)}: Flink cannot infer it. */
    public static TypeInformation<Tuple2<byte[], Long>> producedType() {
        return Types.TUPLE(Types.PRIMITIVE_ARRAY(Types.BYTE), Types.LONG);
    }

    @Override
    public void processElement(byte[] frame, Context ctx, Collector<Tuple2<byte[], Long>> out) {
        out.collect(Tuple2.of(frame, ctx.timestamp()));
    }
}
