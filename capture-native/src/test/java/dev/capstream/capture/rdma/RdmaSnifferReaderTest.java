package dev.capstream.capture.rdma;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.capstream.capture.rdma.EmulatedVerbs.bytes;
import static dev.capstream.capture.rdma.EmulatedVerbs.frame;
import static dev.capstream.capture.rdma.VerbsLayouts.IBV_WC_LOC_PROT_ERR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sniffer reader driven by {@link EmulatedVerbs} (an emulation, not a NIC): ring, events, errors, teardown. */
class RdmaSnifferReaderTest {

    private static final SplitAddress.Rdma MLX = new SplitAddress.Rdma("mlx5_0", 1);
    private static final Path NO_SYSFS = Path.of("/nonexistent-sysfs");
    private static final int BUFFERS = 8;
    private static final int BUFFER_SIZE = 256;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final EmulatedVerbs verbs = new EmulatedVerbs().withDevice(EmulatedVerbs.Device.mlx5("mlx5_0"))
            .withDevice(EmulatedVerbs.Device.rxe("rxe0"));

    private RdmaSnifferReader open(RdmaConfig config) {
        return RdmaSnifferReader.open(verbs, MLX, config, clock::get, NO_SYSFS);
    }

    private RdmaSnifferReader open() {
        return open(new RdmaConfig(BUFFERS, BUFFER_SIZE, false));
    }

    /** Polls, copies every frame of the block out, releases. */
    private static List<byte[]> pollAll(RdmaSnifferReader reader, long timeoutMillis) {
        List<byte[]> out = new ArrayList<>();
        FrameCursor c = reader.poll(timeoutMillis);
        if (c == null) {
            return out;
        }
        while (c.next()) {
            assertThat(c.captureLength()).isEqualTo((int) c.bytes().byteSize());
            out.add(bytes(c.bytes()));
        }
        reader.release();
        return out;
    }

    @Test
    void framesComeOutInArrivalOrderAsViewsOfTheSlab() {
        try (RdmaSnifferReader reader = open()) {
            assertThat(verbs.context().postedReceives()).isEqualTo(BUFFERS);
            for (int i = 0; i < 3; i++) {
                verbs.wire(frame(60 + i, i));
            }
            clock.set(42_000_000_007L);
            FrameCursor c = reader.poll(0);
            assertThat(c).isNotNull();
            assertThat(c.frameCount()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                assertThat(c.next()).isTrue();
                assertThat(bytes(c.bytes())).isEqualTo(frame(60 + i, i));
                assertThat(c.wireLength()).isEqualTo(60 + i);
                assertThat(c.timestampNanos()).isEqualTo(42_000_000_007L);
                assertThat(c.timestampSource()).isEqualTo(TimestampSource.USER_SPACE);
            }
            assertThat(c.next()).isFalse();
            // Held by the consumer: not yet back with the device.
            assertThat(verbs.context().postedReceives()).isEqualTo(BUFFERS - 3);
            reader.release();
            assertThat(verbs.context().postedReceives()).isEqualTo(BUFFERS);
            assertThat(reader.stats()).isEqualTo(new CaptureStats(3, 0, 0, 3, 60 + 61 + 62));
            assertThat(reader.linkType()).isEqualTo(1);
            assertThat(reader.interfaceName()).isEqualTo("mlx5_0:1");
        }
    }

    @Test
    void theRingKeepsItsDepthThroughManyMoreFramesThanBuffers() {
        try (RdmaSnifferReader reader = open()) {
            int seen = 0;
            for (int round = 0; round < 50; round++) {
                for (int i = 0; i < BUFFERS; i++) {
                    verbs.wire(frame(64, round * BUFFERS + i));
                }
                List<byte[]> got = pollAll(reader, 0);
                for (byte[] f : got) {
                    assertThat(f).isEqualTo(frame(64, seen++));
                }
            }
            assertThat(seen).isEqualTo(50 * BUFFERS);
            assertThat(verbs.droppedNoBuffer).isZero();
            assertThat(reader.rdmaStats().postedBuffers()).isEqualTo(BUFFERS);
        }
    }

    @Test
    void failedCompletionsAreCountedAsDropsAndTheirBuffersReposted() {
        try (RdmaSnifferReader reader = open()) {
            verbs.wire(frame(60, 1));
            verbs.wire(frame(BUFFER_SIZE + 1, 2)); // longer than its buffer: LOC_LEN_ERR
            verbs.failReceive(IBV_WC_LOC_PROT_ERR);
            verbs.wire(frame(61, 3));
            List<byte[]> got = pollAll(reader, 0);
            assertThat(got).containsExactly(frame(60, 1), frame(61, 3));
            // libpcap would have lost two slots here; this reader reposted them.
            assertThat(verbs.context().postedReceives()).isEqualTo(BUFFERS);
            RdmaSnifferReader.RdmaStats rs = reader.rdmaStats();
            assertThat(rs.lengthErrors()).isEqualTo(1);
            assertThat(rs.otherErrors()).isEqualTo(1);
            assertThat(rs.lastErrorStatus()).isEqualTo(IBV_WC_LOC_PROT_ERR);
            CaptureStats s = reader.stats();
            assertThat(s.kernelPackets()).isEqualTo(4);
            assertThat(s.kernelDrops()).isEqualTo(2);
            assertThat(s.kernelPackets()).isEqualTo(s.framesRead() + s.kernelDrops());
        }
    }

    @Test
    void aBlockOfOnlyFailedCompletionsYieldsNoFramesButKeepsTheRing() {
        try (RdmaSnifferReader reader = open()) {
            for (int i = 0; i < BUFFERS * 3; i++) {
                verbs.wire(frame(BUFFER_SIZE * 2, i));
                assertThat(reader.poll(0)).isNull();
            }
            assertThat(reader.stats().kernelDrops()).isEqualTo(BUFFERS * 3);
            assertThat(verbs.context().postedReceives()).isEqualTo(BUFFERS);
            assertThat(verbs.droppedNoBuffer).isZero();
        }
    }

    @Test
    void anEmptyRingIsReportedAndFramesBeyondItAreLostOnlyByTheDevice() {
        try (RdmaSnifferReader reader = open()) {
            for (int i = 0; i < BUFFERS + 2; i++) {
                verbs.wire(frame(60, i));
            }
            assertThat(verbs.droppedNoBuffer).isEqualTo(2);
            assertThat(pollAll(reader, 0)).hasSize(BUFFERS);
            assertThat(reader.poll(0)).isNull();
            // The ring ran dry before the release: the device was dropping without telling us.
            assertThat(reader.stats().kernelFreezes()).isEqualTo(1);
            FrameCursor c;
            for (int i = 0; i < BUFFERS; i++) {
                verbs.wire(frame(60, i));
            }
            c = reader.poll(0);
            assertThat(c.frameCount()).isEqualTo(BUFFERS);
            reader.release();
            assertThat(reader.poll(0)).isNull();
        }
    }

    @Test
    void eventsAreTakenAcknowledgedAndTheCqReArmedBeforeDraining() {
        try (RdmaSnifferReader reader = open()) {
            verbs.calls.clear();
            // A completion while armed raises one event; the first poll drains before it waits.
            verbs.wire(frame(60, 1));
            assertThat(pollAll(reader, 0)).hasSize(1);
            // Now the CQ is empty and an event is pending: take it, re-arm, drain.
            verbs.calls.clear();
            assertThat(reader.poll(5)).isNull();
            List<String> c = verbs.calls;
            int event = c.indexOf("ibv_get_cq_event");
            int arm = c.indexOf("ibv_req_notify_cq");
            int drainAfterArm = c.subList(arm, c.size()).indexOf("ibv_poll_cq") + arm;
            assertThat(event).isGreaterThan(c.indexOf("poll"));
            assertThat(arm).isGreaterThan(event);
            assertThat(drainAfterArm).isGreaterThan(arm);
            // The second get_cq_event of the round met EAGAIN on the non-blocking channel.
            assertThat(c.stream().filter("ibv_get_cq_event"::equals).count()).isEqualTo(2);
            assertThat(reader.rdmaStats().cqEvents()).isEqualTo(1);
        }
        List<String> teardown = verbs.teardownCalls();
        assertThat(teardown.indexOf("ibv_ack_cq_events")).isLessThan(teardown.indexOf("ibv_destroy_cq"));
    }

    @Test
    void aCompletionLandingRightAfterTheReArmIsNotLost() {
        try (RdmaSnifferReader reader = open()) {
            verbs.wire(frame(60, 1));
            assertThat(pollAll(reader, 0)).hasSize(1);
            verbs.afterCall = call -> {
                if (call.equals("ibv_req_notify_cq")) {
                    verbs.afterCall = x -> { };
                    verbs.wire(frame(70, 2));
                }
            };
            assertThat(pollAll(reader, 200)).containsExactly(frame(70, 2));
        }
    }

    @Test
    void aWakeupWithoutAnEventIsNotAnError() {
        try (RdmaSnifferReader reader = open()) {
            verbs.context().spuriousWakeup(reader.resourcesForTest().channel);
            assertThat(reader.poll(5)).isNull();
            assertThat(reader.rdmaStats().cqEvents()).isZero();
        }
    }

    @Test
    void eventAcknowledgementsAreBatched() {
        try (RdmaSnifferReader reader = open()) {
            for (int i = 0; i < RdmaSnifferReader.ACK_BATCH + 3; i++) {
                pollAll(reader, 0); // drains nothing: the event of the frame below is still pending
                verbs.wire(frame(60, i));
                assertThat(pollAll(reader, 0)).hasSize(1);
                assertThat(reader.poll(1)).isNull(); // takes the event, re-arms
            }
            long acks = verbs.calls.stream().filter("ibv_ack_cq_events"::equals).count();
            assertThat(acks).isEqualTo(1);
        }
        // The rest are acknowledged at close, or destroy_cq would have refused.
        assertThat(verbs.liveObjects()).isEmpty();
    }

    @Test
    void closeTearsDownInDependencyOrderAndFreesTheSlabLast() {
        RdmaSnifferReader reader = open();
        verbs.wire(frame(60, 1));
        FrameCursor c = reader.poll(0);
        c.next();
        MemorySegment view = c.bytes();
        reader.release();
        reader.poll(1); // takes the event: one unacknowledged
        verbs.calls.clear();
        reader.close();
        assertThat(verbs.teardownCalls()).containsExactly(
                "ibv_destroy_flow",
                "ibv_modify_qp(ERR)",
                "ibv_destroy_qp",
                "ibv_dereg_mr",
                "ibv_ack_cq_events",
                "ibv_destroy_cq",
                "ibv_destroy_comp_channel",
                "ibv_dealloc_pd",
                "ibv_close_device");
        assertThat(verbs.liveObjects()).isEmpty();
        assertThat(view.scope().isAlive()).isFalse();
        // Flush completions at teardown are not drops.
        assertThat(reader.stats().kernelDrops()).isZero();
        // Idempotent.
        reader.close();
        assertThatThrownBy(() -> reader.poll(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aReaderDroppedWithoutCloseIsTornDownByItsCleaner() throws InterruptedException {
        open(); // never closed, never referenced again
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!verbs.liveObjects().isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(verbs.liveObjects()).isEmpty();
        assertThat(verbs.teardownCalls()).endsWith("ibv_close_device");
    }

    @Test
    void framesThatArriveDuringTeardownCountAsCapturedButUnread() {
        RdmaSnifferReader reader = open();
        verbs.wire(frame(60, 1));
        verbs.wire(frame(60, 2));
        reader.close();
        CaptureStats s = reader.stats();
        assertThat(s.kernelPackets()).isEqualTo(2);
        assertThat(s.framesRead()).isZero();
        assertThat(s.kernelPackets() - s.kernelDrops() - s.framesRead()).isEqualTo(2);
    }

    /** Every point where opening can fail: what was built is torn down, in order, and nothing is left. */
    @ParameterizedTest
    @ValueSource(strings = {"ibv_open_device", "ibv_query_port", "ibv_alloc_pd", "ibv_create_comp_channel",
        "ibv_create_cq", "ibv_create_qp", "ibv_modify_qp(INIT)", "ibv_reg_mr", "ibv_post_recv",
        "ibv_modify_qp(RTR)", "ibv_req_notify_cq", "ibv_create_flow"})
    void aFailureAtAnyStepOfOpeningLeavesNothingBehind(String verb) {
        verbs.failNext(verb, RdmaErrors.ENOMEM);
        assertThatThrownBy(this::open)
                .isInstanceOf(NativeCallException.class)
                .hasMessageContaining("on mlx5_0:1: ENOMEM")
                .hasMessageContaining(verb.replaceAll("\\(.*", ""))
                .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
        assertThat(verbs.liveObjects()).isEmpty();
        List<String> canonical = List.of("ibv_destroy_flow", "ibv_modify_qp(ERR)", "ibv_destroy_qp", "ibv_dereg_mr",
                "ibv_destroy_cq", "ibv_destroy_comp_channel", "ibv_dealloc_pd", "ibv_close_device");
        List<String> teardown = verbs.teardownCalls();
        if (verb.equals("ibv_open_device")) {
            assertThat(teardown).isEmpty();
        } else {
            assertThat(teardown).endsWith("ibv_close_device");
            assertThat(canonical).containsSubsequence(teardown);
        }
        // The device list was freed in every case, after the device was opened.
        assertThat(verbs.calls).contains("ibv_free_device_list");
        if (verbs.calls.contains("ibv_open_device")) {
            assertThat(verbs.calls.indexOf("ibv_open_device")).isLessThan(verbs.calls.indexOf("ibv_free_device_list"));
        }
    }

    @Test
    void postBeforeInitIsEinvalInTheEmulation() {
        // The reader never does this; the emulation must still reject it as the providers do.
        Verbs.DeviceList list = verbs.getDeviceList();
        Verbs.Context ctx = list.openDevice("mlx5_0", "mlx5_0:1");
        list.close();
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment pd = ctx.allocPd();
            MemorySegment cq = ctx.createCq(4, MemorySegment.NULL, 0);
            MemorySegment init = arena.allocate(VerbsLayouts.IBV_QP_INIT_ATTR);
            VerbsLayouts.QP_INIT_SEND_CQ.set(init, 0L, cq);
            VerbsLayouts.QP_INIT_RECV_CQ.set(init, 0L, cq);
            VerbsLayouts.QP_INIT_MAX_RECV_WR.set(init, 0L, 4);
            VerbsLayouts.QP_INIT_QP_TYPE.set(init, 0L, VerbsLayouts.IBV_QPT_RAW_PACKET);
            MemorySegment qp = ctx.createQp(pd, init);
            MemorySegment wr = arena.allocate(VerbsLayouts.IBV_RECV_WR);
            MemorySegment bad = arena.allocate(java.lang.foreign.ValueLayout.ADDRESS);
            assertThat(ctx.postRecv(qp, wr, bad)).isEqualTo(RdmaErrors.EINVAL);
            assertThat(bad.get(java.lang.foreign.ValueLayout.ADDRESS, 0).address()).isEqualTo(wr.address());
            assertThat(RdmaErrors.failure("ibv_post_recv", "mlx5_0:1", RdmaErrors.EINVAL, "mlx5").getMessage())
                    .isEqualTo("ibv_post_recv on mlx5_0:1: EINVAL (Invalid argument): the QP takes receive buffers"
                            + " only from the INIT state on, and each buffer must lie in the registered memory");
        }
    }

    @Test
    void aFailedRepostIsReportedWithHowManyBuffersRemain() {
        try (RdmaSnifferReader reader = open()) {
            verbs.wire(frame(60, 1));
            verbs.wire(frame(60, 2));
            FrameCursor c = reader.poll(0);
            assertThat(c.frameCount()).isEqualTo(2);
            verbs.failNext("ibv_post_recv", RdmaErrors.ENOMEM);
            assertThatThrownBy(reader::release)
                    .hasMessageStartingWith("ibv_post_recv on mlx5_0:1: ENOMEM")
                    .hasMessageContaining("2 of 2 buffers could not be posted (6 of 8 remain posted)");
        }
    }

    @Test
    void aQpThatFallsIntoTheErrorStateFailsThePollClearly() {
        try (RdmaSnifferReader reader = open()) {
            verbs.context().portDown();
            assertThatThrownBy(() -> reader.poll(0))
                    .isInstanceOf(CaptureException.class)
                    .hasMessageContaining("entered the error state")
                    .hasMessageContaining("WR_FLUSH_ERR");
            assertThat(reader.stats().kernelDrops()).isZero();
        }
        assertThat(verbs.liveObjects()).isEmpty();
    }

    @Test
    void anErrorStateAfterALengthErrorPointsAtTheBufferSize() {
        try (RdmaSnifferReader reader = open()) {
            verbs.wire(frame(BUFFER_SIZE + 1, 1));
            assertThat(reader.poll(0)).isNull();
            verbs.context().portDown();
            assertThatThrownBy(() -> reader.poll(0))
                    .hasMessageContaining("it followed 1 failed receive(s), last LOC_LEN_ERR")
                    .hasMessageContaining("a frame longer than the 256-byte buffers: raise the buffer size");
        }
    }

    @Test
    void hardwareTimestampsAreUsedWhenTheProviderHasThem() {
        try (RdmaSnifferReader reader = open(new RdmaConfig(BUFFERS, BUFFER_SIZE, true))) {
            assertThat(reader.timestampSource()).isEqualTo(TimestampSource.HARDWARE);
            verbs.wire(frame(60, 1));
            verbs.wire(frame(60, 2));
            FrameCursor c = reader.poll(0);
            c.next();
            long t1 = c.timestampNanos();
            assertThat(c.timestampSource()).isEqualTo(TimestampSource.HARDWARE);
            c.next();
            assertThat(c.timestampNanos()).isGreaterThan(t1); // per completion, not per batch
            assertThat(t1).isGreaterThan(1_700_000_000_000_000_000L);
            reader.release();
        }
        assertThat(verbs.calls).contains("ibv_create_cq_ex").doesNotContain("ibv_create_cq");
        assertThat(verbs.liveObjects()).isEmpty();
    }

    @Test
    void withoutHardwareTimestampsTheSystemClockOfThePollBatchIsUsed() {
        EmulatedVerbs v = new EmulatedVerbs().withDevice(new EmulatedVerbs.Device("mlx4_0", 1,
                VerbsLayouts.IBV_LINK_LAYER_ETHERNET, true, true, false));
        try (RdmaSnifferReader reader = RdmaSnifferReader.open(v, new SplitAddress.Rdma("mlx4_0", 1),
                new RdmaConfig(BUFFERS, BUFFER_SIZE, true), clock::get, NO_SYSFS)) {
            assertThat(reader.timestampSource()).isEqualTo(TimestampSource.USER_SPACE);
            assertThat(v.calls).containsSubsequence("ibv_create_cq_ex", "ibv_create_cq");
        }
    }

    @Test
    void aProviderRejectingTheTimestampFlagsWithEinvalAlsoFallsBack() {
        verbs.failNext("ibv_create_cq_ex", RdmaErrors.EINVAL);
        try (RdmaSnifferReader reader = open(new RdmaConfig(BUFFERS, BUFFER_SIZE, true))) {
            assertThat(reader.timestampSource()).isEqualTo(TimestampSource.USER_SPACE);
            verbs.wire(frame(60, 1));
            assertThat(pollAll(reader, 0)).hasSize(1);
        }
        assertThat(verbs.liveObjects()).isEmpty();
    }

    // ---- errors users see ----

    @Test
    void withoutKernelRdmaTheErrorSaysSo() {
        EmulatedVerbs v = new EmulatedVerbs().withoutKernelRdma();
        assertThatThrownBy(() -> RdmaSnifferReader.open(v, MLX, RdmaConfig.defaults(), clock::get, NO_SYSFS))
                .hasMessage("ibv_get_device_list on mlx5_0:1: ENOSYS (Function not implemented): RDMA not supported"
                        + " by the running kernel (no /sys/class/infiniband_verbs): load ib_uverbs and the NIC's RDMA"
                        + " driver, or use a kernel with RDMA support");
        assertThat(Rdma.listDevices(v, null)).isEqualTo(new Rdma.Devices(List.of(),
                "RDMA not supported by the running kernel (ibv_get_device_list: ENOSYS)"));
    }

    @Test
    void anUnknownDeviceListsTheAvailableOnes() {
        assertThatThrownBy(() -> RdmaSnifferReader.open(verbs, new SplitAddress.Rdma("mlx5_9", 1),
                RdmaConfig.defaults(), clock::get, NO_SYSFS))
                .hasMessage("RDMA device 'mlx5_9' not found; available: mlx5_0, rxe0");
        assertThat(verbs.liveObjects()).isEmpty();
    }

    @Test
    void noDevicesAtAllIsSaidPlainly() {
        EmulatedVerbs v = new EmulatedVerbs();
        assertThatThrownBy(() -> RdmaSnifferReader.open(v, MLX, RdmaConfig.defaults(), clock::get, NO_SYSFS))
                .hasMessageStartingWith("no RDMA devices found for rdma:mlx5_0:1");
        assertThat(Rdma.listDevices(v, null)).isEqualTo(new Rdma.Devices(List.of(), "no RDMA devices found"));
        assertThat(Rdma.listDevices(v, "libibverbs.so.1 not found (install libibverbs1 and ibverbs-providers)"))
                .isEqualTo(new Rdma.Devices(List.of(),
                        "libibverbs.so.1 not found (install libibverbs1 and ibverbs-providers)"));
    }

    @Test
    void aMissingPortIsNamed() {
        assertThatThrownBy(() -> RdmaSnifferReader.open(verbs, new SplitAddress.Rdma("mlx5_0", 2),
                RdmaConfig.defaults(), clock::get, NO_SYSFS))
                .hasMessage("ibv_query_port on mlx5_0:2: EINVAL (Invalid argument): the device has no such port"
                        + " (ports are numbered from 1)");
        assertThat(verbs.liveObjects()).isEmpty();
    }

    @Test
    void anInfinibandPortIsRefusedWithTheReasonNotGivenAGuessedLinkType() {
        EmulatedVerbs v = new EmulatedVerbs().withDevice(new EmulatedVerbs.Device("mlx5_1", 1,
                VerbsLayouts.IBV_LINK_LAYER_INFINIBAND, true, true, true));
        assertThatThrownBy(() -> RdmaSnifferReader.open(v, new SplitAddress.Rdma("mlx5_1", 1),
                RdmaConfig.defaults(), clock::get, NO_SYSFS))
                .hasMessageStartingWith("rdma:mlx5_1:1 is an InfiniBand port (link layer InfiniBand): raw-packet"
                        + " sniffing (RAW_PACKET QP + SNIFFER flow) is an Ethernet/RoCE-port feature");
        assertThat(v.liveObjects()).isEmpty();
    }

    @Test
    void withoutCapNetRawTheQpCreationSaysWhichCapability() {
        verbs.failNext("ibv_create_qp", RdmaErrors.EPERM);
        assertThatThrownBy(this::open)
                .hasMessage("ibv_create_qp(RAW_PACKET) on mlx5_0:1: EPERM (Operation not permitted): raw-packet QPs"
                        + " and sniffer flows need CAP_NET_RAW: run as root, or grant it"
                        + " (e.g. systemd AmbientCapabilities=CAP_NET_RAW CAP_IPC_LOCK)");
    }

    @Test
    void aMemlockFailureAtRegistrationNamesTheLimitAndCapability() {
        verbs.failNext("ibv_reg_mr", RdmaErrors.ENOMEM);
        assertThatThrownBy(this::open)
                .hasMessageStartingWith("ibv_reg_mr on mlx5_0:1: ENOMEM (Cannot allocate memory): registering the"
                        + " receive buffers pins them in RAM: raise the memlock limit")
                .hasMessageContaining("CAP_IPC_LOCK");
    }

    @Test
    void aProviderWithoutRawPacketQpsIsNamed() {
        assertThatThrownBy(() -> RdmaSnifferReader.open(verbs, new SplitAddress.Rdma("rxe0", 1),
                RdmaConfig.defaults(), clock::get, NO_SYSFS))
                .hasMessageStartingWith("ibv_create_qp(RAW_PACKET) on rxe0:1: EOPNOTSUPP (Operation not supported):"
                        + " provider rxe has no raw-packet QPs");
        assertThat(verbs.liveObjects()).isEmpty();
    }

    @Test
    void aProviderWithoutSnifferFlowsIsNamed() {
        verbs.failNext("ibv_create_flow", RdmaErrors.EOPNOTSUPP);
        assertThatThrownBy(this::open)
                .hasMessageStartingWith("ibv_create_flow(SNIFFER) on mlx5_0:1: EOPNOTSUPP (Operation not supported):"
                        + " not supported by provider mlx5 (or its firmware)")
                .hasMessageContaining("allow_sniffer_and_nic_rx_shared_tir");
    }

    @Test
    void providerNamesAreTakenFromDeviceNames() {
        assertThat(RdmaErrors.providerOf("mlx5_0")).isEqualTo("mlx5");
        assertThat(RdmaErrors.providerOf("mlx4_1")).isEqualTo("mlx4");
        assertThat(RdmaErrors.providerOf("rxe0")).isEqualTo("rxe");
        assertThat(RdmaErrors.providerOf("bnxt_re0")).isEqualTo("bnxt_re");
        assertThat(RdmaErrors.providerOf("irdma1")).isEqualTo("irdma");
        assertThat(RdmaErrors.providerOf("renamed-nic")).isEqualTo("renamed-nic");
    }

    @Test
    void closeFromAnotherThreadEndsAWaitingPoll() throws Exception {
        RdmaSnifferReader reader = open();
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reader.close();
        });
        long start = System.nanoTime();
        assertThat(reader.poll(5_000)).isNull();
        assertThat(System.nanoTime() - start).isLessThan(3_000_000_000L);
        closer.join(5_000);
        assertThat(verbs.liveObjects()).isEmpty();
    }
}
