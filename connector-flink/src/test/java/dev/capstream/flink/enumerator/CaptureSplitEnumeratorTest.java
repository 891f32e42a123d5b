package dev.capstream.flink.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.flink.split.CaptureSplit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

/** Locality on Flink's own enumerator test context, with readers registered on several hosts. */
class CaptureSplitEnumeratorTest {

    private TestingSplitEnumeratorContext<CaptureSplit> context;

    private void parallelism(int readers) {
        context = new TestingSplitEnumeratorContext<>(readers);
    }

    private static List<CaptureSplit> twoMembersOn(String... hosts) {
        List<CaptureSplit> splits = new java.util.ArrayList<>();
        for (String host : hosts) {
            splits.add(CaptureSplit.live(host, "eth0", CaptureSplit.ENGINE_FANOUT_GROUP, 0, 2));
            splits.add(CaptureSplit.live(host, "eth0", CaptureSplit.ENGINE_FANOUT_GROUP, 1, 2));
        }
        return splits;
    }

    private List<String> assignedTo(int reader) {
        var state = context.getSplitAssignments().get(reader);
        return state == null ? List.of() : state.getAssignedSplits().stream().map(CaptureSplit::splitId).toList();
    }

    @Test
    void liveSplitsGoOnlyToReadersOnTheirHost() {
        parallelism(3);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h1", "h2"), false);
        enumerator.start();
        context.registerReader(0, "h1");
        enumerator.addReader(0);
        context.registerReader(1, "h2");
        enumerator.addReader(1);
        context.registerReader(2, "h3");
        enumerator.addReader(2);

        assertThat(assignedTo(0)).containsExactly("h1/afpacket:eth0#0/2", "h1/afpacket:eth0#1/2");
        assertThat(assignedTo(1)).containsExactly("h2/afpacket:eth0#0/2", "h2/afpacket:eth0#1/2");
        assertThat(assignedTo(2)).isEmpty();
    }

    @Test
    void splitsWaitUntilAReaderOnTheirHostRegisters() throws Exception {
        parallelism(2);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h2"), false);
        enumerator.start();
        context.registerReader(0, "h1");
        enumerator.addReader(0);
        context.registerReader(1, "h3");
        enumerator.addReader(1);

        assertThat(assignedTo(0)).isEmpty();
        assertThat(assignedTo(1)).isEmpty();
        assertThat(enumerator.snapshotState(1).pending()).hasSize(2);

        // the job restarts from that checkpoint with subtask 1 on a task manager of h2
        // (host names compare without case)
        TestingSplitEnumeratorContext<CaptureSplit> restarted = new TestingSplitEnumeratorContext<>(2);
        CaptureSplitEnumerator again = new CaptureSplitEnumerator(restarted, enumerator.snapshotState(2).pending(),
                false);
        again.start();
        restarted.registerReader(0, "h1");
        again.addReader(0);
        restarted.registerReader(1, "H2");
        again.addReader(1);

        assertThat(restarted.getSplitAssignments().get(1).getAssignedSplits()).hasSize(2);
        assertThat(again.snapshotState(3).pending()).isEmpty();
    }

    @Test
    void nothingIsAssignedBeforeEveryReaderHasRegistered() {
        parallelism(2);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h1"), false);
        enumerator.start();
        context.registerReader(1, "h1");
        enumerator.addReader(1);

        assertThat(assignedTo(1)).isEmpty();

        context.registerReader(0, "h1");
        enumerator.addReader(0);

        assertThat(assignedTo(0)).hasSize(1);
        assertThat(assignedTo(1)).hasSize(1);
    }

    @Test
    void membersSpreadOverTheReadersOfOneHost() {
        parallelism(2);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h1"), false);
        context.registerReader(0, "h1");
        context.registerReader(1, "h1");
        enumerator.start();

        assertThat(assignedTo(0)).containsExactly("h1/afpacket:eth0#0/2");
        assertThat(assignedTo(1)).containsExactly("h1/afpacket:eth0#1/2");
    }

    @Test
    void splitsOfAFailedReaderAreReassignedOnItsHost() {
        parallelism(3);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h1", "h2"), false);
        context.registerReader(0, "h1");
        context.registerReader(1, "h2");
        context.registerReader(2, "h2");
        enumerator.start();
        List<CaptureSplit> lost = context.getSplitAssignments().get(1).getAssignedSplits();
        assertThat(lost).hasSize(1);
        CaptureSplit resumed = lost.get(0).resumingAt(500, 3);

        enumerator.addSplitsBack(List.of(resumed), 1);

        // back on a reader of h2 (this context keeps reader 1 registered, as after its restart),
        // with the position it came back with; never on h1
        List<CaptureSplit> onH2 = new java.util.ArrayList<>(context.getSplitAssignments().get(1).getAssignedSplits());
        onH2.addAll(context.getSplitAssignments().get(2).getAssignedSplits());
        assertThat(onH2).contains(resumed);
        assertThat(assignedTo(0)).doesNotContain(resumed.splitId());
    }

    @Test
    void splitsComingBackWithNoReaderOnTheirHostWaitForTheRestartedOne() throws Exception {
        parallelism(2);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h1"), false);
        context.registerReader(0, "h1");
        context.registerReader(1, "h2");
        enumerator.start();
        List<CaptureSplit> held = List.copyOf(context.getSplitAssignments().get(0).getAssignedSplits());

        // The h1 reader fails: its registration is gone while it restarts.
        TestingSplitEnumeratorContext<CaptureSplit> afterFailure = new TestingSplitEnumeratorContext<>(2);
        afterFailure.registerReader(1, "h2");
        CaptureSplitEnumerator restored = new CaptureSplitEnumerator(afterFailure,
                enumerator.snapshotState(1).pending(), false);
        restored.start();
        restored.addSplitsBack(held, 0);
        assertThat(afterFailure.getSplitAssignments().get(1)).isNull();
        assertThat(restored.snapshotState(2).pending()).containsExactlyElementsOf(held);

        afterFailure.registerReader(0, "h1");
        restored.addReader(0);

        assertThat(afterFailure.getSplitAssignments().get(0).getAssignedSplits()).containsExactlyElementsOf(held);
    }

    @Test
    void restoredEnumeratorAssignsItsCheckpointedPendingSplits() throws Exception {
        parallelism(1);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h1", "h2"), false);
        context.registerReader(0, "h1");
        enumerator.start();
        CaptureEnumeratorState checkpoint = CaptureEnumeratorStateSerializer.INSTANCE.deserialize(
                CaptureEnumeratorStateSerializer.INSTANCE.getVersion(),
                CaptureEnumeratorStateSerializer.INSTANCE.serialize(enumerator.snapshotState(7)));
        assertThat(checkpoint.pending()).extracting(CaptureSplit::host).containsOnly("h2");

        TestingSplitEnumeratorContext<CaptureSplit> restoredContext = new TestingSplitEnumeratorContext<>(1);
        restoredContext.registerReader(0, "h2");
        new CaptureSplitEnumerator(restoredContext, checkpoint.pending(), false).start();

        assertThat(restoredContext.getSplitAssignments().get(0).getAssignedSplits())
                .extracting(CaptureSplit::splitId)
                .containsExactly("h2/afpacket:eth0#0/2", "h2/afpacket:eth0#1/2");
    }

    @Test
    void fileSplitsGoToAnyReaderAndBoundedReadersHearThatNoMoreCome() {
        parallelism(2);
        List<CaptureSplit> files = List.of(CaptureSplit.file(Path.of("/a.pcap")), CaptureSplit.file(Path.of("/b.pcap")),
                CaptureSplit.file(Path.of("/c.pcap")));
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, files, true);
        context.registerReader(0, "h1");
        context.registerReader(1, "h2");
        enumerator.start();

        Map<Integer, ?> assignments = context.getSplitAssignments();
        assertThat(assignedTo(0).size() + assignedTo(1).size()).isEqualTo(3);
        assertThat(assignedTo(0)).isNotEmpty();
        assertThat(assignedTo(1)).isNotEmpty();
        assertThat(assignments.keySet()).containsExactlyInAnyOrder(0, 1);
        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isTrue();
        assertThat(context.getSplitAssignments().get(1).hasReceivedNoMoreSplitsSignal()).isTrue();
    }

    @Test
    void unboundedReadersAreNeverToldThatNoMoreSplitsCome() {
        parallelism(1);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context, twoMembersOn("h1"), false);
        context.registerReader(0, "h1");
        enumerator.start();

        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isFalse();
    }

    // --- readers without a location, sources without hosts, and the host wait timeout ---

    private final AtomicLong nanos = new AtomicLong();

    private CaptureSplitEnumerator enumerator(Collection<CaptureSplit> splits, EnumeratorSettings settings) {
        return new CaptureSplitEnumerator(context, new CaptureEnumeratorState(List.copyOf(splits)), settings,
                nanos::get, "vm");
    }

    private static EnumeratorSettings perReaderHost(int members, Duration wait) {
        return new EnumeratorSettings(false, host -> {
            List<CaptureSplit> splits = new java.util.ArrayList<>();
            for (int m = 0; m < members; m++) {
                splits.add(CaptureSplit.live(host, "eth0", 77, m, members));
            }
            return splits;
        }, wait);
    }

    @Test
    void aReaderWithoutALocationRunsOnThisMachine() {
        // A MiniCluster's task manager that shares the RPC service reports the location ''.
        parallelism(1);
        CaptureSplitEnumerator enumerator = enumerator(twoMembersOn("VM"), EnumeratorSettings.upFront(false));
        context.registerReader(0, "");
        enumerator.start();

        assertThat(assignedTo(0)).containsExactly("VM/afpacket:eth0#0/2", "VM/afpacket:eth0#1/2");
    }

    @Test
    void withoutHostsEveryReaderHostGetsItsOwnSplitsSpreadOverItsReaders() {
        parallelism(3);
        CaptureSplitEnumerator enumerator = enumerator(List.of(), perReaderHost(2, Duration.ofMinutes(3)));
        enumerator.start();
        context.registerReader(0, "");
        enumerator.addReader(0);
        context.registerReader(1, "");
        enumerator.addReader(1);
        context.registerReader(2, "probe-2");
        enumerator.addReader(2);

        assertThat(assignedTo(0)).containsExactly("vm/afpacket:eth0#0/2");
        assertThat(assignedTo(1)).containsExactly("vm/afpacket:eth0#1/2");
        assertThat(assignedTo(2)).containsExactly("probe-2/afpacket:eth0#0/2", "probe-2/afpacket:eth0#1/2");
        assertThat(enumerator.snapshotState(1).hostsWithSplits()).containsExactlyInAnyOrder("vm", "probe-2");
    }

    @Test
    void withoutHostsARestoredEnumeratorDoesNotMakeTheSplitsReadersHoldAgain() {
        parallelism(1);
        CaptureSplitEnumerator first = enumerator(List.of(), perReaderHost(2, Duration.ofMinutes(3)));
        context.registerReader(0, "");
        first.start();
        CaptureEnumeratorState checkpoint = first.snapshotState(1);
        assertThat(checkpoint.pending()).isEmpty();

        TestingSplitEnumeratorContext<CaptureSplit> restarted = new TestingSplitEnumeratorContext<>(1);
        restarted.registerReader(0, "");
        new CaptureSplitEnumerator(restarted, checkpoint, perReaderHost(2, Duration.ofMinutes(3)), nanos::get, "vm")
                .start();

        // the restored reader brings its splits back from its own state; none are made twice
        assertThat(restarted.getSplitAssignments()).isEmpty();
    }

    @Test
    void withoutHostsPendingSplitsOfAHostWithNoReaderLeftAreDropped() {
        parallelism(1);
        CaptureSplitEnumerator enumerator = new CaptureSplitEnumerator(context,
                new CaptureEnumeratorState(twoMembersOn("gone"), Set.of("gone")), perReaderHost(1, Duration.ofMinutes(3)),
                nanos::get, "vm");
        context.registerReader(0, "h1");
        enumerator.start();

        assertThat(assignedTo(0)).containsExactly("h1/afpacket:eth0");
        assertThat(enumerator.snapshotState(2).pending()).isEmpty();
        assertThat(enumerator.snapshotState(2).hostsWithSplits()).containsExactly("h1");
    }

    @Test
    void aSplitWaitingForANamedHostFailsTheJobAfterTheTimeoutNamingTheHostsItSaw() {
        parallelism(2);
        CaptureSplitEnumerator enumerator = enumerator(twoMembersOn("no-such-host"),
                new EnumeratorSettings(false, null, Duration.ofSeconds(5)));
        context.registerReader(0, "");
        context.registerReader(1, "probe-2");
        enumerator.start();

        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        enumerator.failOnSplitsWaitingTooLong(); // not yet

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThatThrownBy(enumerator::failOnSplitsWaitingTooLong)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no reader ran on host(s) ['no-such-host'] within 'hosts.wait-timeout' (5 s)")
                .hasMessageContaining("readers are on ['probe-2', 'vm']");
        // and the check is scheduled in the coordinator thread
        assertThat(context.getExecutorService().getAllPeriodicScheduledTask()).hasSize(1);
    }

    @Test
    void onlyTimeWaitingWithEveryReaderRegisteredCounts() {
        parallelism(2);
        CaptureSplitEnumerator enumerator = enumerator(twoMembersOn("h2"),
                new EnumeratorSettings(false, null, Duration.ofSeconds(5)));
        context.registerReader(0, "h1");
        enumerator.start();
        enumerator.addReader(0);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        enumerator.failOnSplitsWaitingTooLong(); // reader 1 is still starting: nothing waits for a host yet

        context.registerReader(1, "h2");
        enumerator.addReader(1);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());

        enumerator.failOnSplitsWaitingTooLong();
        assertThat(assignedTo(1)).hasSize(2);
    }
}
