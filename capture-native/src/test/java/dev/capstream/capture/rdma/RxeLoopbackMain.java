package dev.capstream.capture.rdma;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.capstream.capture.rdma.VerbsLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Real verbs against a Soft-RoCE (rxe) device, run inside the qemu guest of
 * {@code src/test/qemu/run-rxe.sh}: device listing, open, PD, completion channel, CQ, MR, a UD QP
 * through INIT/RTR/RTS, sends to itself through an address handle, and the completions taken
 * through CQ events on the channel fd, re-arming before draining, with post_recv/post_send/poll_cq/
 * req_notify_cq dispatched through the context's ops table. Then the sniffer's own path: RAW_PACKET
 * QP and SNIFFER flow must fail cleanly, naming provider rxe, and the reader must undo its
 * half-built open.
 *
 * <p>Prints one {@code ok - ...} or {@code not ok - ...} line per check and a final
 * {@code RXE-RESULT: PASS} or {@code RXE-RESULT: FAIL}; exits 0 only on PASS.
 */
public final class RxeLoopbackMain {

    private static final int QKEY = RdmaSnifferReader.UD_TEST_QKEY;
    private static final int MESSAGES = 5;
    private static final int SLOT = 512;

    private static final List<String> failures = new ArrayList<>();

    private RxeLoopbackMain() {}

    private static synchronized void check(boolean ok, String what) {
        System.out.println((ok ? "ok - " : "not ok - ") + what);
        if (!ok) {
            failures.add(what);
        }
    }

    public static void main(String[] args) throws Exception {
        String device = args.length > 0 ? args[0] : "rxe0";
        try {
            run(device);
        } catch (Throwable t) {
            failures.add("unexpected " + t);
            System.out.println("not ok - unexpected " + t);
            t.printStackTrace(System.out);
        }
        System.out.println(failures.isEmpty() ? "RXE-RESULT: PASS" : "RXE-RESULT: FAIL " + failures);
        System.out.flush();
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static void run(String device) {
        Rdma.Devices devices = Rdma.listDevices();
        check(devices.names().contains(device), "Rdma.listDevices() lists " + device + ": " + devices);

        NativeVerbs verbs = new NativeVerbs();
        Verbs.Context ctx;
        try (Verbs.DeviceList list = verbs.getDeviceList()) {
            ctx = list.openDevice(device, device + ":1");
        }
        check(true, "ibv_open_device(" + device + ") before ibv_free_device_list: " + ctx);
        check(NativeVerbs.NativeContext.verbsContext(((NativeVerbs.NativeContext) ctx).segment()) != null,
                "abi_compat is (void *)UINTPTR_MAX: a verbs_context sits before the ibv_context");

        Verbs.PortAttributes port = ctx.queryPort(1);
        check(port.linkLayer() == IBV_LINK_LAYER_ETHERNET, "ibv_query_port: link_layer Ethernet (" + port + ")");

        MemorySegment pd = ctx.allocPd();
        MemorySegment channel = ctx.createCompChannel();
        int fd = (int) CHANNEL_FD.get(channel, 0L);
        ctx.setNonBlocking(channel);
        check(fd >= 0, "ibv_create_comp_channel: fd " + fd + " set O_NONBLOCK");
        check(ctx.getCqEvent(channel) == null, "ibv_get_cq_event on the empty non-blocking channel: EAGAIN");

        try (Arena a = Arena.ofConfined()) {
            MemorySegment attrEx = a.allocate(IBV_CQ_INIT_ATTR_EX);
            CQ_ATTR_EX_CQE.set(attrEx, 0L, 16);
            CQ_ATTR_EX_CHANNEL.set(attrEx, 0L, channel);
            CQ_ATTR_EX_WC_FLAGS.set(attrEx, 0L, IBV_WC_EX_WITH_BYTE_LEN | IBV_WC_EX_WITH_COMPLETION_TIMESTAMP_WALLCLOCK);
            ctx.createCqEx(attrEx);
            check(false, "ibv_create_cq_ex(COMPLETION_TIMESTAMP_WALLCLOCK) should be unsupported by rxe");
        } catch (NativeCallException e) {
            check(e.errnoName().equals("EOPNOTSUPP"), "ibv_create_cq_ex with hardware timestamps: " + e.getMessage());
        }

        MemorySegment cq = ctx.createCq(64, channel, 0);
        Arena arena = Arena.ofShared();
        MemorySegment slab = arena.allocate(2L * MESSAGES * SLOT, 4096);
        MemorySegment mr = ctx.regMr(pd, slab, IBV_ACCESS_LOCAL_WRITE);
        int lkey = (int) MR_LKEY.get(mr, 0L);
        check(true, "ibv_reg_mr of a page-aligned " + slab.byteSize() + "-byte slab: lkey 0x" + Integer.toHexString(lkey));

        MemorySegment qp;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment init = a.allocate(IBV_QP_INIT_ATTR);
            QP_INIT_SEND_CQ.set(init, 0L, cq);
            QP_INIT_RECV_CQ.set(init, 0L, cq);
            QP_INIT_MAX_SEND_WR.set(init, 0L, MESSAGES);
            QP_INIT_MAX_RECV_WR.set(init, 0L, MESSAGES);
            QP_INIT_MAX_SEND_SGE.set(init, 0L, 1);
            QP_INIT_MAX_RECV_SGE.set(init, 0L, 1);
            QP_INIT_QP_TYPE.set(init, 0L, IBV_QPT_UD);
            qp = ctx.createQp(pd, init);
        }
        int qpNum = (int) QP_NUM.get(qp, 0L);
        check(true, "ibv_create_qp(UD): qp_num " + qpNum);

        MemorySegment bad = arena.allocate(ADDRESS);
        MemorySegment recvWrs = arena.allocate(IBV_RECV_WR, MESSAGES);
        MemorySegment sges = arena.allocate(IBV_SGE, 2L * MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            long sge = i * IBV_SGE.byteSize();
            SGE_ADDR.set(sges, sge, slab.address() + (long) i * SLOT);
            SGE_LENGTH.set(sges, sge, SLOT);
            SGE_LKEY.set(sges, sge, lkey);
            long wr = i * IBV_RECV_WR.byteSize();
            RECV_WR_ID.set(recvWrs, wr, 100L + i);
            RECV_WR_SG_LIST.set(recvWrs, wr, sges.asSlice(sge, IBV_SGE.byteSize()));
            RECV_WR_NUM_SGE.set(recvWrs, wr, 1);
            RECV_WR_NEXT.set(recvWrs, wr, i + 1 < MESSAGES
                    ? recvWrs.asSlice((i + 1) * IBV_RECV_WR.byteSize(), IBV_RECV_WR.byteSize()) : MemorySegment.NULL);
        }
        int early = ctx.postRecv(qp, recvWrs, bad);
        check(early == RdmaErrors.EINVAL, "ibv_post_recv on a RESET QP: " + early + " (EINVAL = 22)");

        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(IBV_QP_ATTR);
            QP_ATTR_STATE.set(attr, 0L, IBV_QPS_INIT);
            QP_ATTR_PKEY_INDEX.set(attr, 0L, (short) 0);
            QP_ATTR_PORT_NUM.set(attr, 0L, (byte) 1);
            QP_ATTR_QKEY.set(attr, 0L, QKEY);
            ctx.modifyQp(qp, attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY);
        }
        int posted = ctx.postRecv(qp, recvWrs, bad);
        check(posted == 0, "ibv_post_recv of a chain of " + MESSAGES + " WRs in INIT (ctx+216): " + posted);
        modify(ctx, qp, IBV_QPS_RTR, IBV_QP_STATE);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(IBV_QP_ATTR);
            QP_ATTR_STATE.set(attr, 0L, IBV_QPS_RTS);
            QP_ATTR_SQ_PSN.set(attr, 0L, 0);
            ctx.modifyQp(qp, attr, IBV_QP_STATE | IBV_QP_SQ_PSN);
        }
        check((int) QP_STATE.get(qp, 0L) == IBV_QPS_RTS, "ibv_modify_qp: RESET -> INIT -> RTR -> RTS");

        MemorySegment gid = ctx.queryGid(1, 0);
        MemorySegment ah;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(IBV_AH_ATTR);
            MemorySegment.copy(gid, 0, attr, AH_ATTR_DGID, 16);
            AH_ATTR_SGID_INDEX.set(attr, 0L, (byte) 0);
            AH_ATTR_HOP_LIMIT.set(attr, 0L, (byte) 1);
            AH_ATTR_IS_GLOBAL.set(attr, 0L, (byte) 1);
            AH_ATTR_PORT_NUM.set(attr, 0L, (byte) 1);
            ah = ctx.createAh(pd, attr);
        }
        check(true, "ibv_query_gid(port 1, index 0) + ibv_create_ah to our own GID");

        int armed = ctx.reqNotifyCq(cq, false);
        check(armed == 0, "ibv_req_notify_cq (ctx+104): " + armed);

        MemorySegment sendWrs = arena.allocate(IBV_SEND_WR, MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            byte[] payload = ("capstream-ud-" + i).getBytes(StandardCharsets.US_ASCII);
            long bufOffset = (long) (MESSAGES + i) * SLOT;
            MemorySegment.copy(payload, 0, slab, JAVA_BYTE, bufOffset, payload.length);
            long sge = (MESSAGES + i) * IBV_SGE.byteSize();
            SGE_ADDR.set(sges, sge, slab.address() + bufOffset);
            SGE_LENGTH.set(sges, sge, payload.length);
            SGE_LKEY.set(sges, sge, lkey);
            long wr = i * IBV_SEND_WR.byteSize();
            SEND_WR_ID.set(sendWrs, wr, 200L + i);
            SEND_WR_SG_LIST.set(sendWrs, wr, sges.asSlice(sge, IBV_SGE.byteSize()));
            SEND_WR_NUM_SGE.set(sendWrs, wr, 1);
            SEND_WR_OPCODE.set(sendWrs, wr, IBV_WR_SEND);
            SEND_WR_SEND_FLAGS.set(sendWrs, wr, IBV_SEND_SIGNALED);
            SEND_WR_UD_AH.set(sendWrs, wr, ah);
            SEND_WR_UD_REMOTE_QPN.set(sendWrs, wr, qpNum);
            SEND_WR_UD_REMOTE_QKEY.set(sendWrs, wr, QKEY);
            int rc = ctx.postSend(qp, sendWrs.asSlice(wr, IBV_SEND_WR.byteSize()), bad);
            if (rc != 0) {
                check(false, "ibv_post_send (ctx+208) of message " + i + ": " + rc);
            }
        }

        // The sniffer's loop: wait on the fd, get the event, ack, re-arm, then drain.
        MemorySegment wc = arena.allocate(IBV_WC, 16);
        int sends = 0;
        int recvs = 0;
        int events = 0;
        int unacked = 0;
        List<String> received = new ArrayList<>();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while ((sends < MESSAGES || recvs < MESSAGES) && System.nanoTime() < deadline) {
            if (ctx.pollChannel(channel, 500) == 0) {
                continue;
            }
            MemorySegment evCq;
            while ((evCq = ctx.getCqEvent(channel)) != null) {
                check(evCq.address() == cq.address(), "ibv_get_cq_event names our CQ");
                events++;
                unacked++;
            }
            ctx.ackCqEvents(cq, unacked);
            unacked = 0;
            int rc = ctx.reqNotifyCq(cq, false);
            if (rc != 0) {
                check(false, "re-arm: " + rc);
            }
            int n;
            while ((n = ctx.pollCq(cq, 16, wc)) > 0) {
                for (int i = 0; i < n; i++) {
                    long base = i * IBV_WC.byteSize();
                    long wrId = (long) WC_WR_ID.get(wc, base);
                    int status = (int) WC_STATUS.get(wc, base);
                    int opcode = (int) WC_OPCODE.get(wc, base);
                    int len = (int) WC_BYTE_LEN.get(wc, base);
                    if (status != IBV_WC_SUCCESS) {
                        check(false, "completion wr_id " + wrId + " status " + status);
                    } else if (opcode == IBV_WC_RECV) {
                        int slot = (int) (wrId - 100);
                        byte[] got = slab.asSlice((long) slot * SLOT + UD_GRH_BYTES, len - UD_GRH_BYTES).toArray(JAVA_BYTE);
                        received.add(new String(got, StandardCharsets.US_ASCII));
                        recvs++;
                    } else {
                        sends++;
                    }
                }
            }
            if (n < 0) {
                check(false, "ibv_poll_cq (ctx+96) returned " + n);
                break;
            }
        }
        check(sends == MESSAGES && recvs == MESSAGES, "UD loopback through CQ events: " + sends + " send and " + recvs
                + " receive completions after " + events + " events");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            expected.add("capstream-ud-" + i);
        }
        check(received.equals(expected), "received payloads (after the 40-byte GRH), in order: " + received);

        // The sniffer's verbs on rxe: both must fail cleanly, naming the provider.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment init = a.allocate(IBV_QP_INIT_ATTR);
            QP_INIT_SEND_CQ.set(init, 0L, cq);
            QP_INIT_RECV_CQ.set(init, 0L, cq);
            QP_INIT_MAX_RECV_WR.set(init, 0L, 4);
            QP_INIT_MAX_RECV_SGE.set(init, 0L, 1);
            QP_INIT_QP_TYPE.set(init, 0L, IBV_QPT_RAW_PACKET);
            MemorySegment raw = ctx.createQp(pd, init);
            check(false, "ibv_create_qp(RAW_PACKET) should fail on rxe");
            ctx.destroyQp(raw);
        } catch (NativeCallException e) {
            check(e.errnoName().equals("EOPNOTSUPP") && e.getMessage().contains("provider rxe"),
                    "RAW_PACKET: " + e.getMessage());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(IBV_FLOW_ATTR);
            FLOW_ATTR_TYPE.set(attr, 0L, IBV_FLOW_ATTR_SNIFFER);
            FLOW_ATTR_SIZE.set(attr, 0L, (short) IBV_FLOW_ATTR.byteSize());
            FLOW_ATTR_PORT.set(attr, 0L, (byte) 1);
            MemorySegment flow = ctx.createFlow(qp, attr);
            check(false, "ibv_create_flow(SNIFFER) should fail on rxe");
            ctx.destroyFlow(flow);
        } catch (NativeCallException e) {
            check(e.errnoName().equals("EOPNOTSUPP") && e.getMessage().contains("not supported by provider rxe"),
                    "SNIFFER flow (vctx-80): " + e.getMessage());
        }

        readerOverRealVerbs(device, ctx, qp, ah, cq, sendWrs, sges, slab, lkey, bad, wc);

        // Teardown in dependency order; each returns 0.
        check(ctx.destroyAh(ah) == 0, "ibv_destroy_ah");
        check(ctx.destroyQp(qp) == 0, "ibv_destroy_qp");
        check(ctx.deregMr(mr) == 0, "ibv_dereg_mr");
        check(ctx.destroyCq(cq) == 0, "ibv_destroy_cq (every event acknowledged)");
        check(ctx.destroyCompChannel(channel) == 0, "ibv_destroy_comp_channel");
        check(ctx.deallocPd(pd) == 0, "ibv_dealloc_pd");
        check(ctx.closeDevice() == 0, "ibv_close_device");
        arena.close();

        // The whole reader on rxe: a clean, specific refusal, and its half-built open undone.
        try (RdmaSnifferReader reader = Rdma.open(new SplitAddress.Rdma(device, 1), RdmaConfig.defaults())) {
            check(false, "the sniffer reader should not open on rxe: " + reader);
        } catch (NativeCallException e) {
            check(e.getMessage().startsWith("ibv_create_qp(RAW_PACKET) on " + device + ":1: EOPNOTSUPP")
                            && e.getSuppressed().length == 0,
                    "Rdma.open(rdma:" + device + ":1): " + e.getMessage());
        }
        // And once more, to show nothing was left behind by the failed open.
        try (RdmaSnifferReader reader = Rdma.open(new SplitAddress.Rdma(device, 1), new RdmaConfig(64, 2048, false))) {
            check(false, "the sniffer reader should not open on rxe: " + reader);
        } catch (NativeCallException e) {
            check(e.errnoName().equals("EOPNOTSUPP"), "a second open fails the same way: " + e.errnoName());
        }
        try {
            Rdma.open(new SplitAddress.Rdma("mlx5_0", 1));
            check(false, "mlx5_0 should not exist here");
        } catch (RuntimeException e) {
            check(e.getMessage().equals("RDMA device 'mlx5_0' not found; available: " + String.join(", ", devices.names())),
                    "unknown device: " + e.getMessage());
        }
    }

    /**
     * The reader itself on real verbs: its ring of 8 buffers, CQ events through the non-blocking
     * channel, reposts on release and after a length error, and its teardown. rxe has no
     * raw-packet QPs, so the reader receives on a UD QP here and this QP sends to it.
     */
    private static void readerOverRealVerbs(String device, Verbs.Context ctx, MemorySegment qp, MemorySegment ah,
                                            MemorySegment cq, MemorySegment sendWrs, MemorySegment sges,
                                            MemorySegment slab, int lkey, MemorySegment bad, MemorySegment wc) {
        int buffers = 8;
        int bufferSize = 256;
        RdmaSnifferReader reader = RdmaSnifferReader.open(new NativeVerbs(), new SplitAddress.Rdma(device, 1),
                new RdmaConfig(buffers, bufferSize, true), RdmaSnifferReader.SYSTEM_CLOCK, Path.of("/sys"),
                RdmaSnifferReader.ReceiveQp.UD_FOR_TESTS);
        check(reader.timestampSource() == TimestampSource.USER_SPACE,
                "reader on rxe: CQ_EX timestamps refused, system time per poll batch instead");
        int target = reader.qpNumber();
        List<String> expected = new ArrayList<>();
        List<String> got = new ArrayList<>();
        int rounds = 10;
        int perRound = 4;
        for (int round = 0; round < rounds; round++) {
            List<String> texts = new ArrayList<>();
            for (int j = 0; j < perRound; j++) {
                texts.add("capstream-reader-" + round + "-" + j);
            }
            expected.addAll(texts);
            // Sent from another thread a little later, so the reader is waiting on its channel's fd
            // when they land: the event path (get_cq_event, ack, re-arm, drain) is what receives them.
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                sendTo(ctx, qp, cq, sendWrs, sges, slab, bad, wc, target, texts.stream()
                        .map(t -> t.getBytes(StandardCharsets.US_ASCII)).toList());
            });
            receive(reader, got, expected.size());
            try {
                sender.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        check(got.equals(expected), "reader on real verbs: " + got.size() + " of " + expected.size()
                + " messages through an " + buffers + "-buffer ring, in order");
        RdmaSnifferReader.RdmaStats rs = reader.rdmaStats();
        var stats = reader.stats();
        check(rs.postedBuffers() == buffers, "every buffer is posted again after release: " + rs.postedBuffers());
        check(stats.kernelPackets() == stats.framesRead() + stats.kernelDrops() && stats.framesRead() == expected.size(),
                "completions = frames read + drops: " + stats);
        check(rs.cqEvents() > 0, "frames were waited for through CQ events: " + rs.cqEvents());
        check(stats.kernelDrops() == 0 && rs.lengthErrors() == 0, "no failed receives: " + rs);

        // A message longer than a buffer. rxe (IB class D error for UD) moves the QP to ERR rather than
        // completing it with LOC_LEN_ERR; whichever the provider does, the reader must say so clearly.
        sendTo(ctx, qp, cq, sendWrs, sges, slab, bad, wc, target, List.of(new byte[bufferSize]));
        String outcome;
        try {
            List<String> late = new ArrayList<>();
            receive(reader, late, 1);
            outcome = "counted: " + reader.rdmaStats();
            check(reader.stats().kernelDrops() == 1 && reader.rdmaStats().postedBuffers() == buffers,
                    "an oversized message is a counted length error and its buffer is reposted: " + outcome);
        } catch (dev.capstream.capture.CaptureException e) {
            outcome = e.getMessage();
            check(e.getMessage().contains("entered the error state") && e.getMessage().contains("WR_FLUSH_ERR"),
                    "an oversized message kills rxe's UD QP; the reader says so: " + outcome);
        }
        try {
            reader.close();
            check(true, "reader closed: QP to ERR, flush drained, QP, MR, events acknowledged, CQ, channel, PD, device");
        } catch (RuntimeException e) {
            check(false, "reader close: " + e.getMessage());
        }
        check(reader.stats().kernelDrops() <= 1, "flush completions are not drops: " + reader.stats());
    }

    private static void sendTo(Verbs.Context ctx, MemorySegment qp, MemorySegment cq, MemorySegment sendWrs,
                               MemorySegment sges, MemorySegment slab, MemorySegment bad, MemorySegment wc,
                               int target, List<byte[]> payloads) {
        for (int j = 0; j < payloads.size(); j++) {
            byte[] payload = payloads.get(j);
            long bufOffset = (long) (MESSAGES + j) * SLOT;
            MemorySegment.copy(payload, 0, slab, JAVA_BYTE, bufOffset, payload.length);
            SGE_LENGTH.set(sges, (MESSAGES + j) * IBV_SGE.byteSize(), payload.length);
            long wr = j * IBV_SEND_WR.byteSize();
            SEND_WR_UD_REMOTE_QPN.set(sendWrs, wr, target);
            int rc = ctx.postSend(qp, sendWrs.asSlice(wr, IBV_SEND_WR.byteSize()), bad);
            if (rc != 0) {
                check(false, "ibv_post_send to the reader's QP: " + rc);
                return;
            }
        }
        int done = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (done < payloads.size() && System.nanoTime() < deadline) {
            done += Math.max(0, ctx.pollCq(cq, 16, wc));
        }
    }

    private static void receive(RdmaSnifferReader reader, List<String> got, int want) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.size() < want && System.nanoTime() < deadline) {
            var block = reader.poll(500);
            if (block == null) {
                continue;
            }
            while (block.next()) {
                MemorySegment bytes = block.bytes();
                got.add(new String(bytes.asSlice(UD_GRH_BYTES).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
            }
            reader.release();
        }
    }

    private static void modify(Verbs.Context ctx, MemorySegment qp, int state, int mask) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(IBV_QP_ATTR);
            QP_ATTR_STATE.set(attr, 0L, state);
            ctx.modifyQp(qp, attr, mask);
        }
    }
}
