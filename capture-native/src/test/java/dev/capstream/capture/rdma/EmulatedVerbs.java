package dev.capstream.capture.rdma;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.capstream.capture.rdma.VerbsLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A deterministic, in-process <b>emulation</b> of the verbs contract, for machines without RDMA
 * hardware. It is not libibverbs and proves nothing about a NIC; it models the semantics the
 * reader depends on, as libibverbs and the mlx5/rxe providers document and behave:
 *
 * <ul>
 *   <li>the QP state machine (RESET → INIT → RTR → RTS, anything → ERR); {@code post_recv} in RESET
 *       returns EINVAL; moving to ERR completes every posted receive with WR_FLUSH_ERR;</li>
 *   <li>a FIFO receive queue of the posted WRs (read from the native {@code ibv_recv_wr} chain and
 *       its {@code ibv_sge}s, checked against the registered MR); a frame longer than the head
 *       buffer completes with LOC_LEN_ERR; no posted buffer means the frame is dropped silently,
 *       as hardware does;</li>
 *   <li>a FIFO CQ written to native {@code ibv_wc}s (or an {@code ibv_cq_ex}'s status/wr_id);
 *       an armed CQ raises one event on its channel for the next completion and disarms;</li>
 *   <li>{@code get_cq_event} returns EAGAIN (null) on a non-blocking channel with nothing pending,
 *       and fails the test if the channel was left blocking (the real call would hang);</li>
 *   <li>{@code destroy_cq} refuses (EBUSY) while events got are unacknowledged (the real call blocks
 *       forever) or a QP still uses it; PD, channel, QP and MR refuse while something depends on
 *       them, and {@code dereg_mr} refuses while posted receives still point into it (libpcap's
 *       teardown-order bug);</li>
 *   <li>errno injection for any verb, and a log of every call, in order.</li>
 * </ul>
 */
final class EmulatedVerbs implements Verbs {

    /** What a device of the emulation can do. */
    record Device(String name, int ports, int linkLayer, boolean rawPacket, boolean sniffer, boolean hardwareTimestamps) {
        static Device mlx5(String name) {
            return new Device(name, 1, IBV_LINK_LAYER_ETHERNET, true, true, true);
        }

        static Device rxe(String name) {
            return new Device(name, 1, IBV_LINK_LAYER_ETHERNET, false, false, false);
        }
    }

    private final Map<String, Device> devices = new LinkedHashMap<>();
    private final Map<String, Integer> injected = new HashMap<>();
    private final Map<Long, Object> objects = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    private final Arena arena = Arena.ofAuto();
    private boolean kernelRdma = true;
    private int nextKey = 0x100;
    private long nextTimestamp = 1_700_000_000_000_000_000L;
    private final List<EmuContext> contexts = new ArrayList<>();
    /** Called after each verb (by name), to interleave events with the reader's calls. */
    Consumer<String> afterCall = name -> { };

    EmulatedVerbs withDevice(Device device) {
        devices.put(device.name(), device);
        return this;
    }

    /** The kernel has no RDMA: ibv_get_device_list fails with ENOSYS. */
    EmulatedVerbs withoutKernelRdma() {
        kernelRdma = false;
        return this;
    }

    /** The next call of {@code verb} (e.g. {@code ibv_create_qp}, {@code ibv_modify_qp(RTR)}) fails with errno. */
    void failNext(String verb, int errno) {
        injected.put(verb, errno);
    }

    private int injectedFor(String verb) {
        Integer e = injected.remove(verb);
        return e == null ? 0 : e;
    }

    private void log(String call) {
        calls.add(call);
    }

    /** Native objects still alive, by kind (empty once everything was torn down). */
    List<String> liveObjects() {
        List<String> live = new ArrayList<>();
        for (Object o : objects.values()) {
            live.add(o.getClass().getSimpleName());
        }
        for (EmuContext c : contexts) {
            if (!c.closed) {
                live.add("Context");
            }
        }
        return live;
    }

    /** The calls that tear something down, in order. */
    List<String> teardownCalls() {
        return calls.stream().filter(c -> c.startsWith("ibv_destroy") || c.startsWith("ibv_dereg")
                || c.startsWith("ibv_dealloc") || c.startsWith("ibv_close") || c.startsWith("ibv_ack")
                || c.equals("ibv_modify_qp(ERR)")).toList();
    }

    EmuContext context() {
        return contexts.getLast();
    }

    // ---- the wire ----

    /** A frame arrives at every sniffer QP (one with a flow, in RTR or RTS). */
    void wire(byte[] frame) {
        for (EmuContext c : contexts) {
            for (Object o : List.copyOf(objects.values())) {
                if (o instanceof Qp qp && qp.ctx == c && qp.flows > 0 && (qp.state == IBV_QPS_RTR || qp.state == IBV_QPS_RTS)) {
                    qp.receive(frame, IBV_WC_SUCCESS);
                }
            }
        }
    }

    /** The next receive of every sniffer QP completes with {@code status} (e.g. LOC_PROT_ERR) instead of a frame. */
    void failReceive(int status) {
        for (Object o : List.copyOf(objects.values())) {
            if (o instanceof Qp qp && qp.flows > 0) {
                qp.receive(new byte[0], status);
            }
        }
    }

    /** Frames that found no posted buffer (hardware drops them without a completion). */
    long droppedNoBuffer;

    // ---- objects ----

    private final class Pd {
        final EmuContext ctx;
        final MemorySegment seg = arena.allocate(IBV_PD);
        int users;

        Pd(EmuContext ctx) {
            this.ctx = ctx;
        }
    }

    private final class Channel {
        final MemorySegment seg = arena.allocate(IBV_COMP_CHANNEL);
        final ArrayDeque<Cq> events = new ArrayDeque<>();
        boolean nonBlocking;
        int cqs;
        int spurious;

        Channel() {
            CHANNEL_FD.set(seg, 0L, -1);
        }
    }

    record Completion(long wrId, int status, int byteLen, long timestamp) {}

    private final class Cq {
        final MemorySegment seg;
        final Channel channel;
        final int cqe;
        final ArrayDeque<Completion> queue = new ArrayDeque<>();
        boolean armed;
        int eventsGot;
        int eventsAcked;
        int qps;
        Completion current;

        Cq(MemorySegment seg, Channel channel, int cqe) {
            this.seg = seg;
            this.channel = channel;
            this.cqe = cqe;
            CQ_CHANNEL.set(seg, 0L, channel == null ? MemorySegment.NULL : channel.seg);
        }

        void complete(long wrId, int status, int byteLen) {
            queue.add(new Completion(wrId, status, byteLen, nextTimestamp += 1_000));
            if (queue.size() > cqe) {
                throw new AssertionError("CQ overrun: " + queue.size() + " completions in a CQ of " + cqe);
            }
            if (armed && channel != null) {
                armed = false;
                channel.events.add(this);
            }
        }
    }

    private final class Mr {
        final MemorySegment seg = arena.allocate(IBV_MR);
        final Pd pd;
        final long start;
        final long length;
        final int lkey;

        Mr(Pd pd, MemorySegment buffer) {
            this.pd = pd;
            this.start = buffer.address();
            this.length = buffer.byteSize();
            this.lkey = nextKey++;
            MR_LKEY.set(seg, 0L, lkey);
            MR_ADDR.set(seg, 0L, buffer);
            MR_LENGTH.set(seg, 0L, length);
        }
    }

    record PostedWr(long wrId, long addr, int length, Mr mr) {}

    private final class Qp {
        final EmuContext ctx;
        final MemorySegment seg = arena.allocate(IBV_QP);
        final Pd pd;
        final Cq sendCq;
        final Cq recvCq;
        final int type;
        final int maxRecvWr;
        final ArrayDeque<PostedWr> rq = new ArrayDeque<>();
        int state = IBV_QPS_RESET;
        int flows;

        Qp(EmuContext ctx, Pd pd, Cq sendCq, Cq recvCq, int type, int maxRecvWr) {
            this.ctx = ctx;
            this.pd = pd;
            this.sendCq = sendCq;
            this.recvCq = recvCq;
            this.type = type;
            this.maxRecvWr = maxRecvWr;
            QP_TYPE.set(seg, 0L, type);
            QP_NUM.set(seg, 0L, nextKey++);
        }

        void setState(int s) {
            state = s;
            QP_STATE.set(seg, 0L, s);
            if (s == IBV_QPS_ERR) {
                while (!rq.isEmpty()) {
                    recvCq.complete(rq.poll().wrId(), IBV_WC_WR_FLUSH_ERR, 0);
                }
            }
        }

        void receive(byte[] frame, int status) {
            PostedWr wr = rq.poll();
            if (wr == null) {
                droppedNoBuffer++;
                return;
            }
            if (status != IBV_WC_SUCCESS) {
                recvCq.complete(wr.wrId(), status, 0);
            } else if (frame.length > wr.length()) {
                recvCq.complete(wr.wrId(), IBV_WC_LOC_LEN_ERR, 0);
            } else {
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, MemorySegment.ofAddress(wr.addr()).reinterpret(wr.length()),
                        0, frame.length);
                recvCq.complete(wr.wrId(), IBV_WC_SUCCESS, frame.length);
            }
        }
    }

    private final class Flow {
        final MemorySegment seg = arena.allocate(IBV_FLOW);
        final Qp qp;

        Flow(Qp qp) {
            this.qp = qp;
        }
    }

    private <T> T object(MemorySegment handle, Class<T> type, String call) {
        Object o = objects.get(handle.address());
        if (!type.isInstance(o)) {
            throw new AssertionError(call + " got 0x" + Long.toHexString(handle.address()) + ", which is no live "
                    + type.getSimpleName() + " of the emulation (used after destroy, or never made)");
        }
        return type.cast(o);
    }

    private void register(MemorySegment seg, Object o) {
        objects.put(seg.address(), o);
    }

    // ---- Verbs ----

    @Override
    public DeviceList getDeviceList() {
        log("ibv_get_device_list");
        if (!kernelRdma) {
            throw RdmaErrors.failure("ibv_get_device_list", null, RdmaErrors.ENOSYS, null);
        }
        int e = injectedFor("ibv_get_device_list");
        if (e != 0) {
            throw RdmaErrors.failure("ibv_get_device_list", null, e, null);
        }
        List<String> names = List.copyOf(devices.keySet());
        return new DeviceList() {
            boolean freed;

            @Override
            public List<String> names() {
                return names;
            }

            @Override
            public Context openDevice(String name, String where) {
                log("ibv_open_device");
                if (freed) {
                    throw new AssertionError("ibv_open_device after ibv_free_device_list: the device pointer is invalid");
                }
                int err = injectedFor("ibv_open_device");
                if (err != 0) {
                    throw RdmaErrors.failure("ibv_open_device", where, err, RdmaErrors.providerOf(name));
                }
                EmuContext c = new EmuContext(devices.get(name), where);
                contexts.add(c);
                return c;
            }

            @Override
            public void close() {
                log("ibv_free_device_list");
                freed = true;
            }
        };
    }

    final class EmuContext implements Context {
        final Device device;
        final String where;
        final String provider;
        boolean closed;

        EmuContext(Device device, String where) {
            this.device = device;
            this.where = where;
            this.provider = RdmaErrors.providerOf(device.name());
        }

        private RuntimeException fail(String call, int errno) {
            return RdmaErrors.failure(call, where, errno, provider);
        }

        private void enter(String call) {
            if (closed) {
                throw new AssertionError(call + " on a closed context");
            }
            log(call);
        }

        private void constructor(String call) {
            enter(call);
            int e = injectedFor(call);
            if (e != 0) {
                afterCall.accept(call);
                throw fail(call, e);
            }
        }

        @Override
        public String deviceName() {
            return device.name();
        }

        @Override
        public PortAttributes queryPort(int port) {
            constructor("ibv_query_port");
            if (port < 1 || port > device.ports()) {
                throw fail("ibv_query_port", RdmaErrors.EINVAL);
            }
            return new PortAttributes(4, 5, device.linkLayer());
        }

        @Override
        public MemorySegment allocPd() {
            constructor("ibv_alloc_pd");
            Pd pd = new Pd(this);
            register(pd.seg, pd);
            return pd.seg;
        }

        @Override
        public MemorySegment createCompChannel() {
            constructor("ibv_create_comp_channel");
            Channel ch = new Channel();
            register(ch.seg, ch);
            return ch.seg;
        }

        @Override
        public void setNonBlocking(MemorySegment channel) {
            log("fcntl(O_NONBLOCK)");
            object(channel, Channel.class, "fcntl").nonBlocking = true;
        }

        /** Makes the channel's fd readable once without an event (as after another reader took it). */
        void spuriousWakeup(MemorySegment channel) {
            object(channel, Channel.class, "spuriousWakeup").spurious++;
        }

        @Override
        public int pollChannel(MemorySegment channel, int timeoutMillis) {
            log("poll");
            Channel ch = object(channel, Channel.class, "poll");
            if (!ch.events.isEmpty()) {
                return 1;
            }
            if (ch.spurious > 0) {
                ch.spurious--;
                return 1;
            }
            // Nothing else can happen in a deterministic emulation: poll(2) would wait out its timeout.
            try {
                Thread.sleep(timeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        @Override
        public MemorySegment createCq(int cqe, MemorySegment channel, int compVector) {
            constructor("ibv_create_cq");
            Channel ch = channel.equals(MemorySegment.NULL) ? null : object(channel, Channel.class, "ibv_create_cq");
            Cq cq = new Cq(arena.allocate(IBV_CQ), ch, cqe);
            if (ch != null) {
                ch.cqs++;
            }
            register(cq.seg, cq);
            return cq.seg;
        }

        @Override
        public ExtendedCq createCqEx(MemorySegment attr) {
            constructor("ibv_create_cq_ex");
            if (!device.hardwareTimestamps()) {
                throw fail("ibv_create_cq_ex", RdmaErrors.EOPNOTSUPP);
            }
            MemorySegment channel = (MemorySegment) CQ_ATTR_EX_CHANNEL.get(attr, 0L);
            Channel ch = channel.equals(MemorySegment.NULL) ? null : object(channel, Channel.class, "ibv_create_cq_ex");
            Cq cq = new Cq(arena.allocate(IBV_CQ_EX), ch, (int) CQ_ATTR_EX_CQE.get(attr, 0L));
            if (ch != null) {
                ch.cqs++;
            }
            register(cq.seg, cq);
            return new ExtendedCq() {
                @Override
                public MemorySegment cq() {
                    return cq.seg;
                }

                private int advance() {
                    cq.current = cq.queue.poll();
                    if (cq.current == null) {
                        return RdmaErrors.ENOENT;
                    }
                    CQ_EX_STATUS.set(cq.seg, 0L, cq.current.status());
                    CQ_EX_WR_ID.set(cq.seg, 0L, cq.current.wrId());
                    return 0;
                }

                @Override
                public int startPoll() {
                    log("start_poll");
                    return advance();
                }

                @Override
                public int nextPoll() {
                    return advance();
                }

                @Override
                public void endPoll() {
                    cq.current = null;
                }

                @Override
                public long wrId() {
                    return (long) CQ_EX_WR_ID.get(cq.seg, 0L);
                }

                @Override
                public int status() {
                    return (int) CQ_EX_STATUS.get(cq.seg, 0L);
                }

                @Override
                public int readByteLen() {
                    return cq.current.byteLen();
                }

                @Override
                public long readCompletionWallclockNs() {
                    return cq.current.timestamp();
                }
            };
        }

        @Override
        public MemorySegment createQp(MemorySegment pdSeg, MemorySegment initAttr) {
            int type = (int) QP_INIT_QP_TYPE.get(initAttr, 0L);
            String call = "ibv_create_qp(" + NativeVerbs.qpTypeName(type) + ")";
            enter(call);
            int e = injectedFor("ibv_create_qp");
            if (e != 0) {
                throw fail(call, e);
            }
            if (type == IBV_QPT_RAW_PACKET && !device.rawPacket()) {
                throw fail(call, RdmaErrors.EOPNOTSUPP);
            }
            Pd pd = object(pdSeg, Pd.class, call);
            Cq send = object((MemorySegment) QP_INIT_SEND_CQ.get(initAttr, 0L), Cq.class, call);
            Cq recv = object((MemorySegment) QP_INIT_RECV_CQ.get(initAttr, 0L), Cq.class, call);
            Qp qp = new Qp(this, pd, send, recv, type, (int) QP_INIT_MAX_RECV_WR.get(initAttr, 0L));
            pd.users++;
            send.qps++;
            recv.qps++;
            register(qp.seg, qp);
            return qp.seg;
        }

        @Override
        public void modifyQp(MemorySegment qpSeg, MemorySegment attr, int attrMask) {
            int to = (int) QP_ATTR_STATE.get(attr, 0L);
            String call = "ibv_modify_qp(" + NativeVerbs.qpStateName(to) + ")";
            enter(call);
            int e = injectedFor(call);
            if (e != 0) {
                throw fail(call, e);
            }
            Qp qp = object(qpSeg, Qp.class, call);
            boolean ok = switch (to) {
                case IBV_QPS_INIT -> qp.state == IBV_QPS_RESET && (attrMask & IBV_QP_PORT) != 0
                        && ((byte) QP_ATTR_PORT_NUM.get(attr, 0L) & 0xFF) >= 1
                        && ((byte) QP_ATTR_PORT_NUM.get(attr, 0L) & 0xFF) <= device.ports();
                case IBV_QPS_RTR -> qp.state == IBV_QPS_INIT;
                case IBV_QPS_RTS -> qp.state == IBV_QPS_RTR;
                case IBV_QPS_ERR, IBV_QPS_RESET -> true;
                default -> false;
            };
            if (!ok) {
                throw fail(call, RdmaErrors.EINVAL);
            }
            qp.setState(to);
            afterCall.accept(call);
        }

        @Override
        public MemorySegment regMr(MemorySegment pdSeg, MemorySegment buffer, int access) {
            constructor("ibv_reg_mr");
            Pd pd = object(pdSeg, Pd.class, "ibv_reg_mr");
            Mr mr = new Mr(pd, buffer);
            pd.users++;
            register(mr.seg, mr);
            return mr.seg;
        }

        @Override
        public MemorySegment createFlow(MemorySegment qpSeg, MemorySegment flowAttr) {
            String call = "ibv_create_flow(" + NativeVerbs.flowTypeName((int) FLOW_ATTR_TYPE.get(flowAttr, 0L)) + ")";
            enter(call);
            int e = injectedFor("ibv_create_flow");
            if (e != 0) {
                throw fail(call, e);
            }
            if (!device.sniffer()) {
                throw fail(call, RdmaErrors.EOPNOTSUPP);
            }
            Qp qp = object(qpSeg, Qp.class, call);
            Flow flow = new Flow(qp);
            FLOW_CONTEXT.set(flow.seg, 0L, MemorySegment.NULL);
            qp.flows++;
            register(flow.seg, flow);
            return flow.seg;
        }

        @Override
        public int postRecv(MemorySegment qpSeg, MemorySegment wr, MemorySegment badWr) {
            enter("ibv_post_recv");
            Qp qp = object(qpSeg, Qp.class, "ibv_post_recv");
            int e = injectedFor("ibv_post_recv");
            if (e != 0) {
                badWr.set(ADDRESS, 0, wr);
                return e;
            }
            if (qp.state == IBV_QPS_RESET) {
                badWr.set(ADDRESS, 0, wr);
                return RdmaErrors.EINVAL;
            }
            MemorySegment cur = wr;
            while (!cur.equals(MemorySegment.NULL)) {
                cur = cur.reinterpret(IBV_RECV_WR.byteSize());
                int numSge = (int) RECV_WR_NUM_SGE.get(cur, 0L);
                MemorySegment sge = ((MemorySegment) RECV_WR_SG_LIST.get(cur, 0L)).reinterpret(IBV_SGE.byteSize());
                long addr = (long) SGE_ADDR.get(sge, 0L);
                int length = (int) SGE_LENGTH.get(sge, 0L);
                int lkey = (int) SGE_LKEY.get(sge, 0L);
                Mr mr = mrFor(lkey, addr, length);
                if (numSge != 1 || mr == null || qp.rq.size() >= qp.maxRecvWr) {
                    badWr.set(ADDRESS, 0, cur);
                    return qp.rq.size() >= qp.maxRecvWr ? RdmaErrors.ENOMEM : RdmaErrors.EINVAL;
                }
                qp.rq.add(new PostedWr((long) RECV_WR_ID.get(cur, 0L), addr, length, mr));
                cur = (MemorySegment) RECV_WR_NEXT.get(cur, 0L);
            }
            if (qp.state == IBV_QPS_ERR) {
                qp.setState(IBV_QPS_ERR);
            }
            afterCall.accept("ibv_post_recv");
            return 0;
        }

        private Mr mrFor(int lkey, long addr, int length) {
            for (Object o : objects.values()) {
                if (o instanceof Mr mr && mr.lkey == lkey && addr >= mr.start && addr + length <= mr.start + mr.length) {
                    return mr;
                }
            }
            return null;
        }

        @Override
        public int postSend(MemorySegment qp, MemorySegment wr, MemorySegment badWr) {
            throw new UnsupportedOperationException("the emulation models the receive side only");
        }

        @Override
        public int pollCq(MemorySegment cqSeg, int entries, MemorySegment wc) {
            enter("ibv_poll_cq");
            Cq cq = object(cqSeg, Cq.class, "ibv_poll_cq");
            int e = injectedFor("ibv_poll_cq");
            if (e != 0) {
                return -e;
            }
            int n = 0;
            long size = IBV_WC.byteSize();
            MemorySegment out = wc.reinterpret(size * entries);
            while (n < entries && !cq.queue.isEmpty()) {
                Completion c = cq.queue.poll();
                out.asSlice(n * size, size).fill((byte) 0);
                WC_WR_ID.set(out, n * size, c.wrId());
                WC_STATUS.set(out, n * size, c.status());
                WC_OPCODE.set(out, n * size, IBV_WC_RECV);
                WC_BYTE_LEN.set(out, n * size, c.byteLen());
                n++;
            }
            return n;
        }

        @Override
        public int reqNotifyCq(MemorySegment cqSeg, boolean solicitedOnly) {
            enter("ibv_req_notify_cq");
            int e = injectedFor("ibv_req_notify_cq");
            if (e != 0) {
                return e;
            }
            object(cqSeg, Cq.class, "ibv_req_notify_cq").armed = true;
            afterCall.accept("ibv_req_notify_cq");
            return 0;
        }

        @Override
        public MemorySegment getCqEvent(MemorySegment channel) {
            enter("ibv_get_cq_event");
            Channel ch = object(channel, Channel.class, "ibv_get_cq_event");
            Cq cq = ch.events.poll();
            if (cq == null) {
                if (!ch.nonBlocking) {
                    throw new AssertionError("ibv_get_cq_event on a blocking channel with no event: the real call would hang");
                }
                return null;
            }
            cq.eventsGot++;
            return cq.seg;
        }

        @Override
        public void ackCqEvents(MemorySegment cqSeg, int events) {
            enter("ibv_ack_cq_events");
            Cq cq = object(cqSeg, Cq.class, "ibv_ack_cq_events");
            if (cq.eventsAcked + events > cq.eventsGot) {
                throw new AssertionError("acknowledged " + (cq.eventsAcked + events) + " CQ events, but only "
                        + cq.eventsGot + " were got");
            }
            cq.eventsAcked += events;
        }

        @Override
        public MemorySegment queryGid(int port, int index) {
            throw new UnsupportedOperationException("the emulation has no GID table");
        }

        @Override
        public MemorySegment createAh(MemorySegment pd, MemorySegment ahAttr) {
            throw new UnsupportedOperationException("the emulation models the receive side only");
        }

        @Override
        public int destroyAh(MemorySegment ah) {
            throw new UnsupportedOperationException("the emulation models the receive side only");
        }

        private int destroy(String call, MemorySegment seg) {
            enter(call);
            return injectedFor(call);
        }

        @Override
        public int destroyFlow(MemorySegment flowSeg) {
            int e = destroy("ibv_destroy_flow", flowSeg);
            if (e != 0) {
                return e;
            }
            Flow flow = object(flowSeg, Flow.class, "ibv_destroy_flow");
            flow.qp.flows--;
            objects.remove(flowSeg.address());
            return 0;
        }

        @Override
        public int destroyQp(MemorySegment qpSeg) {
            int e = destroy("ibv_destroy_qp", qpSeg);
            if (e != 0) {
                return e;
            }
            Qp qp = object(qpSeg, Qp.class, "ibv_destroy_qp");
            if (qp.flows > 0) {
                return RdmaErrors.EBUSY;
            }
            qp.pd.users--;
            qp.sendCq.qps--;
            qp.recvCq.qps--;
            objects.remove(qpSeg.address());
            return 0;
        }

        @Override
        public int deregMr(MemorySegment mrSeg) {
            int e = destroy("ibv_dereg_mr", mrSeg);
            if (e != 0) {
                return e;
            }
            Mr mr = object(mrSeg, Mr.class, "ibv_dereg_mr");
            for (Object o : objects.values()) {
                if (o instanceof Qp qp && qp.rq.stream().anyMatch(w -> w.mr() == mr)) {
                    return RdmaErrors.EBUSY; // posted receives still point into it
                }
            }
            mr.pd.users--;
            objects.remove(mrSeg.address());
            return 0;
        }

        @Override
        public int destroyCq(MemorySegment cqSeg) {
            int e = destroy("ibv_destroy_cq", cqSeg);
            if (e != 0) {
                return e;
            }
            Cq cq = object(cqSeg, Cq.class, "ibv_destroy_cq");
            if (cq.qps > 0 || cq.eventsAcked != cq.eventsGot) {
                return RdmaErrors.EBUSY; // libibverbs would wait forever for the acknowledgements
            }
            if (cq.channel != null) {
                cq.channel.cqs--;
                cq.channel.events.removeIf(x -> x == cq);
            }
            objects.remove(cqSeg.address());
            return 0;
        }

        @Override
        public int destroyCompChannel(MemorySegment channel) {
            int e = destroy("ibv_destroy_comp_channel", channel);
            if (e != 0) {
                return e;
            }
            Channel ch = object(channel, Channel.class, "ibv_destroy_comp_channel");
            if (ch.cqs > 0) {
                return RdmaErrors.EBUSY;
            }
            objects.remove(channel.address());
            return 0;
        }

        @Override
        public int deallocPd(MemorySegment pdSeg) {
            int e = destroy("ibv_dealloc_pd", pdSeg);
            if (e != 0) {
                return e;
            }
            Pd pd = object(pdSeg, Pd.class, "ibv_dealloc_pd");
            if (pd.users > 0) {
                return RdmaErrors.EBUSY;
            }
            objects.remove(pdSeg.address());
            return 0;
        }

        @Override
        public int closeDevice() {
            int e = destroy("ibv_close_device", null);
            if (e != 0) {
                return e;
            }
            for (Object o : objects.values()) {
                if (o instanceof Pd pd && pd.ctx == this) {
                    return RdmaErrors.EBUSY; // real close_device does not refuse; here a leak fails the test
                }
            }
            closed = true;
            return 0;
        }

        /** The QP's receive queue depth, as the device sees it. */
        int postedReceives() {
            int n = 0;
            for (Object o : objects.values()) {
                if (o instanceof Qp qp && qp.ctx == this) {
                    n += qp.rq.size();
                }
            }
            return n;
        }

        /** The port goes down: the device moves the QP to ERR and flushes its receives. */
        void portDown() {
            for (Object o : List.copyOf(objects.values())) {
                if (o instanceof Qp qp && qp.ctx == this) {
                    qp.setState(IBV_QPS_ERR);
                }
            }
        }
    }

    static byte[] frame(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(JAVA_BYTE);
    }
}
