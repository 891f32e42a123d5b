package dev.capstream.flink.split;

import dev.capstream.capture.SplitAddress;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Checkpoint form of a {@link CaptureSplit}.
 *
 * <p>Version 1: a kind byte (0 live, 1 file); live: host, interface (modified UTF-8), fanout group,
 * member, members (int); file: path (modified UTF-8); then next sequence and kernel drops (long).
 * A new field means a new version; old versions must keep deserializing (see the test's fixture).
 */
public final class CaptureSplitSerializer implements SimpleVersionedSerializer<CaptureSplit> {

    public static final CaptureSplitSerializer INSTANCE = new CaptureSplitSerializer();

    static final int VERSION_1 = 1;
    private static final int CURRENT_VERSION = VERSION_1;
    private static final byte LIVE = 0;
    private static final byte FILE = 1;
    private static final byte RDMA = 2;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(CaptureSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public CaptureSplit deserialize(int version, byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        CaptureSplit split = read(version, in);
        if (in.available() != 0) {
            throw new IOException("capture split of version " + version + " has " + in.available()
                    + " bytes left over after the split " + split.splitId() + ": the checkpoint is corrupt"
                    + " or was written by a newer capstream");
        }
        return split;
    }

    /** Writes the current version's body. */
    private static void write(CaptureSplit split, DataOutputView out) throws IOException {
        if (split.kind() == CaptureSplit.Kind.LIVE) {
            out.writeByte(LIVE);
            out.writeUTF(split.host());
            out.writeUTF(split.interfaceName());
            out.writeInt(split.fanoutGroup());
            out.writeInt(split.member());
            out.writeInt(split.members());
        } else if (split.kind() == CaptureSplit.Kind.RDMA) {
            SplitAddress.Rdma port = (SplitAddress.Rdma) split.address();
            out.writeByte(RDMA);
            out.writeUTF(split.host());
            out.writeUTF(port.device());
            out.writeInt(port.port());
        } else {
            out.writeByte(FILE);
            out.writeUTF(split.rawFile());
        }
        out.writeLong(split.nextSequence());
        out.writeLong(split.kernelDropsBefore());
    }

    /** Reads a body of the given version. */
    private static CaptureSplit read(int version, DataInputView in) throws IOException {
        if (version != VERSION_1) {
            throw new IOException("capture split serializer version " + version + " is unknown to this capstream"
                    + " (it reads version " + VERSION_1 + "); restore with the capstream version that wrote it");
        }
        byte kind = in.readByte();
        CaptureSplit split = switch (kind) {
            case LIVE -> CaptureSplit.live(in.readUTF(), in.readUTF(), in.readInt(), in.readInt(), in.readInt());
            case FILE -> CaptureSplit.file(Path.of(in.readUTF()));
            case RDMA -> CaptureSplit.rdma(in.readUTF(), new SplitAddress.Rdma(in.readUTF(), in.readInt()));
            default -> throw new IOException("capture split kind " + kind + " is unknown: expected 0 (live), 1 (file)"
                    + " or 2 (RDMA)");
        };
        return split.resumingAt(in.readLong(), in.readLong());
    }
}
