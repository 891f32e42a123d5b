package dev.capstream.capture.rdma;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.NativeCallException;
import dev.capstream.capture.ffi.StructLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static dev.capstream.capture.rdma.VerbsLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libibverbs ({@code libibverbs.so.1}, loaded by SONAME) bound by hand through the FFM API: the one
 * place capstream calls it.
 *
 * <ul>
 *   <li>Exported verbs are downcalls by name, each held in a field named after the C function.
 *       A plain name resolves to the default symbol version ({@code @@IBVERBS_1.1}), as in C.</li>
 *   <li>The verbs that {@code verbs.h} defines {@code static inline} are dispatched through the
 *       context's function pointers, bound into MethodHandles once per context
 *       ({@link NativeContext}): {@code poll_cq}, {@code req_notify_cq}, {@code post_send},
 *       {@code post_recv} from {@code ibv_context.ops}; {@code ibv_create_flow},
 *       {@code ibv_destroy_flow}, {@code create_cq_ex} from the {@code verbs_context} in front of
 *       the ibv_context, with {@code verbs_get_ctx_op}'s checks (abi_compat, sz, non-NULL).</li>
 *   <li>errno is read through {@code Linker.Option.captureCallState}, and only when a call failed:
 *       libibverbs leaves stale errno values behind successful calls.</li>
 * </ul>
 */
final class NativeVerbs implements Verbs {

    static final String SONAME = "libibverbs.so.1";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private static final FunctionDescriptor POLL_CQ = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
    private static final FunctionDescriptor REQ_NOTIFY_CQ = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor POST_WR = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final FunctionDescriptor CREATE_FLOW = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS);
    private static final FunctionDescriptor DESTROY_FLOW = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor CREATE_CQ_EX = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS);
    private static final FunctionDescriptor START_POLL = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor NEXT_POLL = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor END_POLL = FunctionDescriptor.ofVoid(ADDRESS);
    private static final FunctionDescriptor READ_U32 = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor READ_U64 = FunctionDescriptor.of(JAVA_LONG, ADDRESS);

    /** The exported symbols; loaded on first use, so the inline dispatch works (and is tested) without the library. */
    private static final class Lib {
        static final String UNAVAILABLE;
        static final SymbolLookup LOOKUP;

        static {
            SymbolLookup lookup = null;
            String reason = null;
            try {
                lookup = SymbolLookup.libraryLookup(SONAME, Arena.global());
            } catch (IllegalArgumentException e) {
                reason = SONAME + " not found (install libibverbs1 and ibverbs-providers)";
            } catch (IllegalCallerException e) {
                reason = "native access is not enabled: start the JVM with --enable-native-access=ALL-UNNAMED";
            }
            LOOKUP = lookup;
            UNAVAILABLE = reason;
        }

        static final MethodHandle ibv_get_device_list = downcall("ibv_get_device_list", FunctionDescriptor.of(ADDRESS, ADDRESS));
        static final MethodHandle ibv_free_device_list = downcall("ibv_free_device_list", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle ibv_open_device = downcall("ibv_open_device", FunctionDescriptor.of(ADDRESS, ADDRESS));
        static final MethodHandle ibv_close_device = downcall("ibv_close_device", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ibv_query_port =
                downcall("ibv_query_port", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS));
        static final MethodHandle ibv_query_gid =
                downcall("ibv_query_gid", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BYTE, JAVA_INT, ADDRESS));
        static final MethodHandle ibv_alloc_pd = downcall("ibv_alloc_pd", FunctionDescriptor.of(ADDRESS, ADDRESS));
        static final MethodHandle ibv_dealloc_pd = downcall("ibv_dealloc_pd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ibv_create_comp_channel =
                downcall("ibv_create_comp_channel", FunctionDescriptor.of(ADDRESS, ADDRESS));
        static final MethodHandle ibv_destroy_comp_channel =
                downcall("ibv_destroy_comp_channel", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ibv_create_cq = downcall("ibv_create_cq",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        static final MethodHandle ibv_destroy_cq = downcall("ibv_destroy_cq", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ibv_create_qp = downcall("ibv_create_qp", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle ibv_destroy_qp = downcall("ibv_destroy_qp", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ibv_modify_qp =
                downcall("ibv_modify_qp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        static final MethodHandle ibv_reg_mr =
                downcall("ibv_reg_mr", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle ibv_dereg_mr = downcall("ibv_dereg_mr", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ibv_get_cq_event =
                downcall("ibv_get_cq_event", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle ibv_ack_cq_events =
                downcall("ibv_ack_cq_events", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        static final MethodHandle ibv_create_ah = downcall("ibv_create_ah", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle ibv_destroy_ah = downcall("ibv_destroy_ah", FunctionDescriptor.of(JAVA_INT, ADDRESS));

        private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
            if (LOOKUP == null) {
                return null;
            }
            MemorySegment symbol = LOOKUP.find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError(SONAME + " has no symbol '" + name + "'"));
            return LINKER.downcallHandle(symbol, descriptor, ERRNO_OPTION);
        }

        static void require() {
            if (UNAVAILABLE != null) {
                throw new dev.capstream.capture.CaptureException("RDMA capture is unavailable: " + UNAVAILABLE);
            }
        }
    }

    /** Why libibverbs cannot be used in this JVM, or null when it can. */
    static String libraryUnavailableReason() {
        try {
            return Lib.UNAVAILABLE;
        } catch (LinkageError e) {
            return SONAME + " could not be bound: " + e.getMessage();
        }
    }

    private static MemorySegment state() {
        return CALL_STATE_BUFFER.get();
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** C's "0, or an errno value, or -1 with errno set" as one errno value (0 = success). */
    private static int errnoOf(int rc, MemorySegment state) {
        if (rc > 0) {
            return rc;
        }
        if (rc < 0) {
            int e = errno(state);
            return e != 0 ? e : RdmaErrors.EINVAL;
        }
        return 0;
    }

    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall " + call + " failed unexpectedly", t);
    }

    @Override
    public DeviceList getDeviceList() {
        Lib.require();
        MemorySegment st = state();
        MemorySegment list;
        int count;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment num = arena.allocate(JAVA_INT);
            try {
                list = (MemorySegment) Lib.ibv_get_device_list.invokeExact(st, num);
            } catch (Throwable t) {
                throw unexpected("ibv_get_device_list", t);
            }
            count = num.get(JAVA_INT, 0);
        }
        if (list.equals(MemorySegment.NULL)) {
            throw RdmaErrors.failure("ibv_get_device_list", null, errno(st), null);
        }
        return new NativeDeviceList(list.reinterpret((long) (count + 1) * ADDRESS.byteSize()), count);
    }

    private static final class NativeDeviceList implements DeviceList {
        private final MemorySegment list;
        private final List<String> names;
        private final List<MemorySegment> devices;
        private boolean freed;

        NativeDeviceList(MemorySegment list, int count) {
            this.list = list;
            List<String> n = new ArrayList<>(count);
            List<MemorySegment> d = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                MemorySegment device = list.getAtIndex(ADDRESS, i).reinterpret(IBV_DEVICE.byteSize());
                d.add(device);
                n.add(device.getString(IBV_DEVICE_NAME_OFFSET));
            }
            this.names = List.copyOf(n);
            this.devices = d;
        }

        @Override
        public List<String> names() {
            return names;
        }

        @Override
        public Context openDevice(String name, String where) {
            if (freed) {
                throw new IllegalStateException("the device list was freed: its devices can no longer be opened");
            }
            int i = names.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("device '" + name + "' is not in the list " + names);
            }
            MemorySegment st = state();
            MemorySegment ctx;
            try {
                ctx = (MemorySegment) Lib.ibv_open_device.invokeExact(st, devices.get(i));
            } catch (Throwable t) {
                throw unexpected("ibv_open_device", t);
            }
            if (ctx.equals(MemorySegment.NULL)) {
                throw RdmaErrors.failure("ibv_open_device", where, errno(st), RdmaErrors.providerOf(name));
            }
            return bind(ctx, name, where);
        }

        @Override
        public void close() {
            if (freed) {
                return;
            }
            freed = true;
            try {
                Lib.ibv_free_device_list.invokeExact(state(), list);
            } catch (Throwable t) {
                throw unexpected("ibv_free_device_list", t);
            }
        }
    }

    /**
     * Binds the function pointers of an open context. Reads nothing outside the ibv_context and, when
     * {@code abi_compat} says one is there, the verbs_context in front of it.
     */
    static NativeContext bind(MemorySegment ctx, String deviceName, String where) {
        return new NativeContext(ctx.reinterpret(IBV_CONTEXT.byteSize()), deviceName, where);
    }

    /** An open ibv_context with its inline verbs bound. */
    static final class NativeContext implements Context {

        private final MemorySegment ctx;
        private final String deviceName;
        private final String where;
        private final String provider;

        private final MethodHandle pollCq;
        private final MethodHandle reqNotifyCq;
        private final MethodHandle postSend;
        private final MethodHandle postRecv;
        /** Null when verbs_get_ctx_op would say the op is missing. */
        private final MethodHandle createFlow;
        private final MethodHandle destroyFlow;
        private final MethodHandle createCqEx;

        private final MemorySegment pollfd = Arena.ofAuto().allocate(StructLayouts.POLLFD);
        private final MemorySegment eventOut = Arena.ofAuto().allocate(ADDRESS, 2);

        NativeContext(MemorySegment ctx, String deviceName, String where) {
            this.ctx = ctx;
            this.deviceName = deviceName;
            this.where = where;
            this.provider = RdmaErrors.providerOf(deviceName);
            this.pollCq = LINKER.downcallHandle(ctx.get(ADDRESS, CTX_POLL_CQ), POLL_CQ);
            this.reqNotifyCq = LINKER.downcallHandle(ctx.get(ADDRESS, CTX_REQ_NOTIFY_CQ), REQ_NOTIFY_CQ);
            this.postSend = LINKER.downcallHandle(ctx.get(ADDRESS, CTX_POST_SEND), POST_WR);
            this.postRecv = LINKER.downcallHandle(ctx.get(ADDRESS, CTX_POST_RECV), POST_WR);
            MemorySegment vctx = verbsContext(ctx);
            this.createFlow = extendedOp(vctx, VCTX_CREATE_FLOW, CREATE_FLOW, true);
            this.destroyFlow = extendedOp(vctx, VCTX_DESTROY_FLOW, DESTROY_FLOW, false);
            this.createCqEx = extendedOp(vctx, VCTX_CREATE_CQ_EX, CREATE_CQ_EX, true);
        }

        /**
         * The verbs_context that holds {@code ctx} as its last member, or null when the context has
         * none. FFM segments cannot be read at negative offsets, so it is a segment of its own.
         */
        static MemorySegment verbsContext(MemorySegment ctx) {
            long abiCompat = ctx.get(JAVA_LONG, CTX_ABI_COMPAT);
            if (abiCompat != ABI_COMPAT_EXTENDED) {
                return null;
            }
            return MemorySegment.ofAddress(ctx.address() - VCTX_CONTEXT).reinterpret(VERBS_CONTEXT.byteSize());
        }

        /** verbs_get_ctx_op: present only when the provider's vctx is big enough to hold it and set it. */
        private static MethodHandle extendedOp(MemorySegment vctx, long offset, FunctionDescriptor fd, boolean errno) {
            if (vctx == null) {
                return null;
            }
            long sz = vctx.get(JAVA_LONG, VCTX_SZ);
            if (sz < VERBS_CONTEXT.byteSize() - offset) {
                return null;
            }
            MemorySegment fn = vctx.get(ADDRESS, offset);
            if (fn.equals(MemorySegment.NULL)) {
                return null;
            }
            return errno ? LINKER.downcallHandle(fn, fd, ERRNO_OPTION) : LINKER.downcallHandle(fn, fd);
        }

        MemorySegment segment() {
            return ctx;
        }

        @Override
        public String deviceName() {
            return deviceName;
        }

        private NativeCallException fail(String call, int errno) {
            return RdmaErrors.failure(call, where, errno, provider);
        }

        private MemorySegment checked(String call, MemorySegment result, MemorySegment st, long size) {
            if (result.equals(MemorySegment.NULL)) {
                throw fail(call, errno(st));
            }
            return result.reinterpret(size);
        }

        @Override
        public PortAttributes queryPort(int port) {
            MemorySegment st = state();
            try (Arena arena = Arena.ofConfined()) {
                // Zeroed and as large as the header's struct; the exported symbol fills the 48-byte compat part.
                MemorySegment attr = arena.allocate(IBV_PORT_ATTR);
                int rc;
                try {
                    rc = (int) Lib.ibv_query_port.invokeExact(st, ctx, (byte) port, attr);
                } catch (Throwable t) {
                    throw unexpected("ibv_query_port", t);
                }
                int e = errnoOf(rc, st);
                if (e != 0) {
                    throw fail("ibv_query_port", e);
                }
                return new PortAttributes((int) PORT_STATE.get(attr, 0L), (int) PORT_ACTIVE_MTU.get(attr, 0L),
                        (byte) PORT_LINK_LAYER.get(attr, 0L) & 0xFF);
            }
        }

        @Override
        public MemorySegment queryGid(int port, int index) {
            MemorySegment st = state();
            MemorySegment gid = Arena.ofAuto().allocate(IBV_GID);
            int rc;
            try {
                rc = (int) Lib.ibv_query_gid.invokeExact(st, ctx, (byte) port, index, gid);
            } catch (Throwable t) {
                throw unexpected("ibv_query_gid", t);
            }
            int e = errnoOf(rc, st);
            if (e != 0) {
                throw fail("ibv_query_gid", e);
            }
            return gid;
        }

        @Override
        public MemorySegment allocPd() {
            MemorySegment st = state();
            MemorySegment pd;
            try {
                pd = (MemorySegment) Lib.ibv_alloc_pd.invokeExact(st, ctx);
            } catch (Throwable t) {
                throw unexpected("ibv_alloc_pd", t);
            }
            return checked("ibv_alloc_pd", pd, st, IBV_PD.byteSize());
        }

        @Override
        public MemorySegment createCompChannel() {
            MemorySegment st = state();
            MemorySegment ch;
            try {
                ch = (MemorySegment) Lib.ibv_create_comp_channel.invokeExact(st, ctx);
            } catch (Throwable t) {
                throw unexpected("ibv_create_comp_channel", t);
            }
            return checked("ibv_create_comp_channel", ch, st, IBV_COMP_CHANNEL.byteSize());
        }

        @Override
        public void setNonBlocking(MemorySegment channel) {
            Libc.setNonBlocking((int) CHANNEL_FD.get(channel, 0L), where + " completion channel");
        }

        @Override
        public int pollChannel(MemorySegment channel, int timeoutMillis) {
            StructLayouts.POLLFD_FD.set(pollfd, 0L, (int) CHANNEL_FD.get(channel, 0L));
            StructLayouts.POLLFD_EVENTS.set(pollfd, 0L, LinuxConstants.POLLIN);
            StructLayouts.POLLFD_REVENTS.set(pollfd, 0L, (short) 0);
            int ready = Libc.poll(pollfd, 1, timeoutMillis, where + " completion channel");
            if (ready > 0 && ((short) StructLayouts.POLLFD_REVENTS.get(pollfd, 0L) & LinuxConstants.POLLNVAL) != 0) {
                throw new dev.capstream.capture.CaptureException("poll on the completion channel of " + where
                        + ": the channel's fd is no longer valid (POLLNVAL)");
            }
            return ready > 0 ? 1 : 0;
        }

        @Override
        public MemorySegment createCq(int cqe, MemorySegment channel, int compVector) {
            MemorySegment st = state();
            MemorySegment cq;
            try {
                cq = (MemorySegment) Lib.ibv_create_cq.invokeExact(st, ctx, cqe, MemorySegment.NULL, channel, compVector);
            } catch (Throwable t) {
                throw unexpected("ibv_create_cq", t);
            }
            return checked("ibv_create_cq", cq, st, IBV_CQ.byteSize());
        }

        @Override
        public ExtendedCq createCqEx(MemorySegment attr) {
            if (createCqEx == null) {
                throw fail("ibv_create_cq_ex", RdmaErrors.EOPNOTSUPP);
            }
            MemorySegment st = state();
            MemorySegment cq;
            try {
                cq = (MemorySegment) createCqEx.invokeExact(st, ctx, attr);
            } catch (Throwable t) {
                throw unexpected("ibv_create_cq_ex", t);
            }
            return new NativeExtendedCq(checked("ibv_create_cq_ex", cq, st, IBV_CQ_EX.byteSize()));
        }

        @Override
        public MemorySegment createQp(MemorySegment pd, MemorySegment initAttr) {
            MemorySegment st = state();
            MemorySegment qp;
            try {
                qp = (MemorySegment) Lib.ibv_create_qp.invokeExact(st, pd, initAttr);
            } catch (Throwable t) {
                throw unexpected("ibv_create_qp", t);
            }
            return checked("ibv_create_qp(" + qpTypeName((int) QP_INIT_QP_TYPE.get(initAttr, 0L)) + ")",
                    qp, st, IBV_QP.byteSize());
        }

        @Override
        public void modifyQp(MemorySegment qp, MemorySegment attr, int attrMask) {
            MemorySegment st = state();
            int rc;
            try {
                rc = (int) Lib.ibv_modify_qp.invokeExact(st, qp, attr, attrMask);
            } catch (Throwable t) {
                throw unexpected("ibv_modify_qp", t);
            }
            int e = errnoOf(rc, st);
            if (e != 0) {
                throw fail("ibv_modify_qp(" + qpStateName((int) QP_ATTR_STATE.get(attr, 0L)) + ")", e);
            }
        }

        @Override
        public MemorySegment regMr(MemorySegment pd, MemorySegment buffer, int access) {
            MemorySegment st = state();
            MemorySegment mr;
            try {
                mr = (MemorySegment) Lib.ibv_reg_mr.invokeExact(st, pd, buffer, buffer.byteSize(), access);
            } catch (Throwable t) {
                throw unexpected("ibv_reg_mr", t);
            }
            return checked("ibv_reg_mr", mr, st, IBV_MR.byteSize());
        }

        @Override
        public MemorySegment createFlow(MemorySegment qp, MemorySegment flowAttr) {
            String call = "ibv_create_flow(" + flowTypeName((int) FLOW_ATTR_TYPE.get(flowAttr, 0L)) + ")";
            if (createFlow == null) {
                throw fail(call, RdmaErrors.EOPNOTSUPP);
            }
            MemorySegment st = state();
            MemorySegment flow;
            try {
                flow = (MemorySegment) createFlow.invokeExact(st, qp, flowAttr);
            } catch (Throwable t) {
                throw unexpected("ibv_create_flow", t);
            }
            return checked(call, flow, st, IBV_FLOW.byteSize());
        }

        @Override
        public int postRecv(MemorySegment qp, MemorySegment wr, MemorySegment badWr) {
            try {
                return (int) postRecv.invokeExact(qp, wr, badWr);
            } catch (Throwable t) {
                throw unexpected("ibv_post_recv", t);
            }
        }

        @Override
        public int postSend(MemorySegment qp, MemorySegment wr, MemorySegment badWr) {
            try {
                return (int) postSend.invokeExact(qp, wr, badWr);
            } catch (Throwable t) {
                throw unexpected("ibv_post_send", t);
            }
        }

        @Override
        public int pollCq(MemorySegment cq, int entries, MemorySegment wc) {
            try {
                return (int) pollCq.invokeExact(cq, entries, wc);
            } catch (Throwable t) {
                throw unexpected("ibv_poll_cq", t);
            }
        }

        @Override
        public int reqNotifyCq(MemorySegment cq, boolean solicitedOnly) {
            try {
                return (int) reqNotifyCq.invokeExact(cq, solicitedOnly ? 1 : 0);
            } catch (Throwable t) {
                throw unexpected("ibv_req_notify_cq", t);
            }
        }

        @Override
        public MemorySegment getCqEvent(MemorySegment channel) {
            MemorySegment st = state();
            int rc;
            try {
                rc = (int) Lib.ibv_get_cq_event.invokeExact(st, channel, eventOut, eventOut.asSlice(ADDRESS.byteSize()));
            } catch (Throwable t) {
                throw unexpected("ibv_get_cq_event", t);
            }
            if (rc != 0) {
                int e = errno(st);
                if (e == RdmaErrors.EAGAIN) {
                    return null;
                }
                throw fail("ibv_get_cq_event", e);
            }
            return eventOut.get(ADDRESS, 0).reinterpret(IBV_CQ.byteSize());
        }

        @Override
        public void ackCqEvents(MemorySegment cq, int events) {
            try {
                Lib.ibv_ack_cq_events.invokeExact(state(), cq, events);
            } catch (Throwable t) {
                throw unexpected("ibv_ack_cq_events", t);
            }
        }

        @Override
        public MemorySegment createAh(MemorySegment pd, MemorySegment ahAttr) {
            MemorySegment st = state();
            MemorySegment ah;
            try {
                ah = (MemorySegment) Lib.ibv_create_ah.invokeExact(st, pd, ahAttr);
            } catch (Throwable t) {
                throw unexpected("ibv_create_ah", t);
            }
            return checked("ibv_create_ah", ah, st, IBV_AH.byteSize());
        }

        @Override
        public int destroyAh(MemorySegment ah) {
            return intCall(Lib.ibv_destroy_ah, "ibv_destroy_ah", ah);
        }

        @Override
        public int destroyFlow(MemorySegment flow) {
            if (destroyFlow == null) {
                return RdmaErrors.EOPNOTSUPP;
            }
            try {
                return (int) destroyFlow.invokeExact(flow);
            } catch (Throwable t) {
                throw unexpected("ibv_destroy_flow", t);
            }
        }

        @Override
        public int destroyQp(MemorySegment qp) {
            return intCall(Lib.ibv_destroy_qp, "ibv_destroy_qp", qp);
        }

        @Override
        public int deregMr(MemorySegment mr) {
            return intCall(Lib.ibv_dereg_mr, "ibv_dereg_mr", mr);
        }

        @Override
        public int destroyCq(MemorySegment cq) {
            return intCall(Lib.ibv_destroy_cq, "ibv_destroy_cq", cq);
        }

        @Override
        public int destroyCompChannel(MemorySegment channel) {
            return intCall(Lib.ibv_destroy_comp_channel, "ibv_destroy_comp_channel", channel);
        }

        @Override
        public int deallocPd(MemorySegment pd) {
            return intCall(Lib.ibv_dealloc_pd, "ibv_dealloc_pd", pd);
        }

        @Override
        public int closeDevice() {
            return intCall(Lib.ibv_close_device, "ibv_close_device", ctx);
        }

        private static int intCall(MethodHandle mh, String call, MemorySegment arg) {
            MemorySegment st = state();
            int rc;
            try {
                rc = (int) mh.invokeExact(st, arg);
            } catch (Throwable t) {
                throw unexpected(call, t);
            }
            return errnoOf(rc, st);
        }

        @Override
        public String toString() {
            return "NativeContext[" + deviceName + " at 0x" + Long.toHexString(ctx.address()) + "]";
        }
    }

    /** An ibv_cq_ex with its poll and read ops bound once. */
    static final class NativeExtendedCq implements ExtendedCq {

        private final MemorySegment cq;
        private final MemorySegment pollAttr = Arena.ofAuto().allocate(IBV_POLL_CQ_ATTR);
        private final MethodHandle startPoll;
        private final MethodHandle nextPoll;
        private final MethodHandle endPoll;
        private final MethodHandle readByteLen;
        private final MethodHandle readWallclock;

        NativeExtendedCq(MemorySegment cq) {
            this.cq = cq;
            this.startPoll = LINKER.downcallHandle(cq.get(ADDRESS, CQ_EX_START_POLL), START_POLL);
            this.nextPoll = LINKER.downcallHandle(cq.get(ADDRESS, CQ_EX_NEXT_POLL), NEXT_POLL);
            this.endPoll = LINKER.downcallHandle(cq.get(ADDRESS, CQ_EX_END_POLL), END_POLL);
            this.readByteLen = LINKER.downcallHandle(cq.get(ADDRESS, CQ_EX_READ_BYTE_LEN), READ_U32);
            MemorySegment wallclock = cq.get(ADDRESS, CQ_EX_READ_COMPLETION_WALLCLOCK_NS);
            this.readWallclock = wallclock.equals(MemorySegment.NULL) ? null : LINKER.downcallHandle(wallclock, READ_U64);
        }

        @Override
        public MemorySegment cq() {
            return cq;
        }

        @Override
        public int startPoll() {
            try {
                return (int) startPoll.invokeExact(cq, pollAttr);
            } catch (Throwable t) {
                throw unexpected("start_poll", t);
            }
        }

        @Override
        public int nextPoll() {
            try {
                return (int) nextPoll.invokeExact(cq);
            } catch (Throwable t) {
                throw unexpected("next_poll", t);
            }
        }

        @Override
        public void endPoll() {
            try {
                endPoll.invokeExact(cq);
            } catch (Throwable t) {
                throw unexpected("end_poll", t);
            }
        }

        @Override
        public long wrId() {
            return (long) CQ_EX_WR_ID.get(cq, 0L);
        }

        @Override
        public int status() {
            return (int) CQ_EX_STATUS.get(cq, 0L);
        }

        @Override
        public int readByteLen() {
            try {
                return (int) readByteLen.invokeExact(cq);
            } catch (Throwable t) {
                throw unexpected("read_byte_len", t);
            }
        }

        @Override
        public long readCompletionWallclockNs() {
            if (readWallclock == null) {
                return 0;
            }
            try {
                return (long) readWallclock.invokeExact(cq);
            } catch (Throwable t) {
                throw unexpected("read_completion_wallclock_ns", t);
            }
        }
    }

    static String qpTypeName(int type) {
        return switch (type) {
            case 2 -> "RC";
            case 3 -> "UC";
            case IBV_QPT_UD -> "UD";
            case IBV_QPT_RAW_PACKET -> "RAW_PACKET";
            default -> "type " + type;
        };
    }

    static String qpStateName(int state) {
        return switch (state) {
            case IBV_QPS_RESET -> "RESET";
            case IBV_QPS_INIT -> "INIT";
            case IBV_QPS_RTR -> "RTR";
            case IBV_QPS_RTS -> "RTS";
            case IBV_QPS_ERR -> "ERR";
            default -> "state " + state;
        };
    }

    static String flowTypeName(int type) {
        return switch (type) {
            case 0 -> "NORMAL";
            case 1 -> "ALL_DEFAULT";
            case 2 -> "MC_DEFAULT";
            case IBV_FLOW_ATTR_SNIFFER -> "SNIFFER";
            default -> "type " + type;
        };
    }
}
