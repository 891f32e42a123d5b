package dev.capstream.flink.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CaptureSplitSerializerTest {

    private static final CaptureSplitSerializer SERIALIZER = CaptureSplitSerializer.INSTANCE;

    // Written by version 1 for live("probe-1", "eth0", group -1, member 1 of 2) resuming at 42 with 7
    // drops, and for file("/data/a.pcapng") resuming at 3. Checkpoints hold these bytes: they must
    // keep deserializing to the same splits in every later version.
    private static final String V1_LIVE = "00000770726f62652d31000465746830ffffffff00000001000000020000"
            + "00000000002a0000000000000007";
    private static final String V1_FILE = "01000e2f646174612f612e706361706e670000000000000003000000000000"
            + "0000";

    @Test
    void liveSplitRoundTripsWithItsPosition() throws IOException {
        CaptureSplit split = CaptureSplit.live("probe-1", "eth0", 1234, 1, 2).resumingAt(99, 5);

        CaptureSplit back = SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.splitId()).isEqualTo("probe-1/afpacket:eth0#1/2");
        assertThat(back.nextSequence()).isEqualTo(99);
        assertThat(back.kernelDropsBefore()).isEqualTo(5);
    }

    @Test
    void fileSplitRoundTrips() throws IOException {
        CaptureSplit split = CaptureSplit.file(Path.of("/data/replay ü.pcap")).resumingAt(17, 0);

        CaptureSplit back = SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.file()).isEqualTo(Path.of("/data/replay ü.pcap"));
        assertThat(back.isBounded()).isTrue();
    }

    @Test
    void version1BytesStillDeserialize() throws IOException {
        CaptureSplit live = SERIALIZER.deserialize(1, HexFormat.of().parseHex(V1_LIVE));
        CaptureSplit file = SERIALIZER.deserialize(1, HexFormat.of().parseHex(V1_FILE));

        assertThat(live).isEqualTo(CaptureSplit.live("probe-1", "eth0", CaptureSplit.ENGINE_FANOUT_GROUP, 1, 2)
                .resumingAt(42, 7));
        assertThat(file).isEqualTo(CaptureSplit.file(Path.of("/data/a.pcapng")).resumingAt(3, 0));
    }

    @Test
    void afXdpSplitRoundTripsWithItsHostQueueAndPosition() throws IOException {
        CaptureSplit split = CaptureSplit.afxdp("probe-1", new dev.capstream.capture.SplitAddress.AfXdp("eth0", 3))
                .resumingAt(8, 2);

        CaptureSplit back = SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.splitId()).isEqualTo("probe-1/afxdp:eth0:3");
        assertThat(back.address()).isEqualTo(new dev.capstream.capture.SplitAddress.AfXdp("eth0", 3));
        assertThat(back.isBounded()).isFalse();
        assertThat(back.host()).isEqualTo("probe-1");
    }

    @Test
    void currentVersionStillWritesVersion1Bytes() throws IOException {
        // While the version stays 1, the bytes must not change under it (new kinds only add kind bytes).
        assertThat(SERIALIZER.getVersion()).isEqualTo(1);
        CaptureSplit live = CaptureSplit.live("probe-1", "eth0", CaptureSplit.ENGINE_FANOUT_GROUP, 1, 2)
                .resumingAt(42, 7);
        assertThat(HexFormat.of().formatHex(SERIALIZER.serialize(live))).isEqualTo(V1_LIVE);
    }

    @Test
    void unknownVersionIsRefusedWithAnExplanation() {
        assertThatThrownBy(() -> SERIALIZER.deserialize(99, HexFormat.of().parseHex(V1_FILE)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 99")
                .hasMessageContaining("restore with the capstream version that wrote it");
    }

    @Test
    void trailingBytesAreReportedAsCorruption() {
        byte[] longer = HexFormat.of().parseHex(V1_FILE + "00");
        assertThatThrownBy(() -> SERIALIZER.deserialize(1, longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1 bytes left over");
    }
}
