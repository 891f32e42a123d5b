package dev.capstream.flink.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.flink.split.CaptureSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptureEnumeratorStateSerializerTest {

    private static final CaptureEnumeratorStateSerializer SERIALIZER = CaptureEnumeratorStateSerializer.INSTANCE;

    // Version 1 state with two pending splits: live("probe-1", "eth0", engine group, member 1 of 2)
    // at 42 with 7 drops, and file("/data/a.pcapng") at 3.
    private static final String V1_TWO_PENDING = "00000001000000020000002c00000770726f62652d31000465746830ffffffff"
            + "0000000100000002000000000000002a00000000000000070000002101000e2f646174612f612e706361706e67"
            + "00000000000000030000000000000000";

    @Test
    void pendingSplitsRoundTripInOrder() throws IOException {
        CaptureEnumeratorState state = new CaptureEnumeratorState(List.of(
                CaptureSplit.live("b", "eth1", 7, 0, 3),
                CaptureSplit.file(Path.of("/x.pcap")),
                CaptureSplit.live("a", "eth0", 7, 2, 3).resumingAt(10, 1)));

        CaptureEnumeratorState back = SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(state));

        assertThat(back).isEqualTo(state);
    }

    @Test
    void emptyStateRoundTrips() throws IOException {
        CaptureEnumeratorState empty = new CaptureEnumeratorState(List.of());
        assertThat(SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(empty))).isEqualTo(empty);
    }

    @Test
    void hostsWhoseSplitsAreMadeRoundTrip() throws IOException {
        CaptureEnumeratorState state = new CaptureEnumeratorState(
                List.of(CaptureSplit.live("h2", "eth0", 9, 1, 2)), Set.of("h1", "h2"));

        CaptureEnumeratorState back = SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(state));

        assertThat(back).isEqualTo(state);
        assertThat(back.hostsWithSplits()).containsExactlyInAnyOrder("h1", "h2");
    }

    @Test
    void version1BytesStillDeserialize() throws IOException {
        CaptureEnumeratorState state = SERIALIZER.deserialize(1, HexFormat.of().parseHex(V1_TWO_PENDING));

        assertThat(state.pending()).containsExactly(
                CaptureSplit.live("probe-1", "eth0", CaptureSplit.ENGINE_FANOUT_GROUP, 1, 2).resumingAt(42, 7),
                CaptureSplit.file(Path.of("/data/a.pcapng")).resumingAt(3, 0));
        assertThat(state.hostsWithSplits()).isEmpty();
    }

    @Test
    void unknownVersionIsRefused() {
        assertThatThrownBy(() -> SERIALIZER.deserialize(3, HexFormat.of().parseHex(V1_TWO_PENDING)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 3");
    }

    @Test
    void absurdSplitCountIsReportedAsCorruption() {
        byte[] bytes = HexFormat.of().parseHex("000000017fffffff");
        assertThatThrownBy(() -> SERIALIZER.deserialize(1, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt");
    }
}
