package dev.capstream.flink.enumerator;

import dev.capstream.flink.split.CaptureSplit;
import dev.capstream.flink.split.CaptureSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Checkpoint form of a {@link CaptureEnumeratorState}.
 *
 * <p>Version 1: the split serializer's version (int), the number of pending splits (int), then each
 * split as its own length-prefixed serialized form. Keeping the split's version inside lets the
 * split format evolve without a new state version. Version 2 adds, after the splits, the number of
 * hosts whose splits are made (int) and each host (modified UTF-8, sorted); version 1 reads as none.
 */
public final class CaptureEnumeratorStateSerializer implements SimpleVersionedSerializer<CaptureEnumeratorState> {

    public static final CaptureEnumeratorStateSerializer INSTANCE = new CaptureEnumeratorStateSerializer();

    static final int VERSION_1 = 1;
    static final int VERSION_2 = 2;
    private static final int CURRENT_VERSION = VERSION_2;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(CaptureEnumeratorState state) throws IOException {
        CaptureSplitSerializer splits = CaptureSplitSerializer.INSTANCE;
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(splits.getVersion());
        out.writeInt(state.pending().size());
        for (CaptureSplit split : state.pending()) {
            byte[] bytes = splits.serialize(split);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        out.writeInt(state.hostsWithSplits().size());
        for (String host : new TreeSet<>(state.hostsWithSplits())) {
            out.writeUTF(host);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public CaptureEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION_1 && version != VERSION_2) {
            throw new IOException("capture enumerator state version " + version + " is unknown to this capstream"
                    + " (it reads versions " + VERSION_1 + " and " + VERSION_2 + "); restore with the capstream"
                    + " version that wrote it");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int splitVersion = in.readInt();
        int count = in.readInt();
        if (count < 0 || count > serialized.length) {
            throw new IOException("capture enumerator state claims " + count + " pending splits in "
                    + serialized.length + " bytes: the checkpoint is corrupt");
        }
        List<CaptureSplit> pending = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            pending.add(CaptureSplitSerializer.INSTANCE.deserialize(splitVersion, bytes));
        }
        Set<String> hosts = new TreeSet<>();
        if (version >= VERSION_2) {
            int hostCount = in.readInt();
            if (hostCount < 0 || hostCount > serialized.length) {
                throw new IOException("capture enumerator state claims " + hostCount + " hosts in "
                        + serialized.length + " bytes: the checkpoint is corrupt");
            }
            for (int i = 0; i < hostCount; i++) {
                hosts.add(in.readUTF());
            }
        }
        if (in.available() != 0) {
            throw new IOException("capture enumerator state has " + in.available()
                    + " bytes left over after " + count + " splits: the checkpoint is corrupt");
        }
        return new CaptureEnumeratorState(pending, hosts);
    }
}
