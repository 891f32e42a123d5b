package dev.capstream.capture.rdma;

import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.capstream.capture.rdma.VerbsLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real binding's dispatch of the inline verbs, run against a fake verbs_context + ibv_context
 * built in native memory, with upcall stubs ({@link Linker#upcallStub}) placed at the offsets where
 * libibverbs keeps the function pointers. No kernel and no libibverbs are needed: this proves that
 * {@link NativeVerbs} calls the right pointer with the right arguments and reads returns and errno
 * as C callers must.
 */
class NativeVerbsDispatchTest {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle ERRNO_LOCATION = LINKER.downcallHandle(
            LINKER.defaultLookup().find("__errno_location").orElseThrow(), FunctionDescriptor.of(ADDRESS));

    // What the stubs saw; the stubs run on the test's thread.
    static String lastCall;
    static long arg0;
    static long arg1;
    static long arg2;
    static int calls;
    static int returnValue;
    static int errnoToSet;
    static MemorySegment returnPointer = MemorySegment.NULL;

    private Arena arena;
    private MemorySegment vctx;
    private MemorySegment ctx;

    @BeforeEach
    void buildFakeContext() throws Exception {
        arena = Arena.ofConfined();
        calls = 0;
        lastCall = null;
        returnValue = 0;
        errnoToSet = 0;
        returnPointer = MemorySegment.NULL;
        vctx = arena.allocate(VERBS_CONTEXT);
        ctx = vctx.asSlice(VCTX_CONTEXT, IBV_CONTEXT.byteSize());
        ctx.set(JAVA_LONG, CTX_ABI_COMPAT, ABI_COMPAT_EXTENDED);
        vctx.set(JAVA_LONG, VCTX_SZ, VERBS_CONTEXT.byteSize());
        ctx.set(ADDRESS, CTX_POLL_CQ, stub("pollCq", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)));
        ctx.set(ADDRESS, CTX_REQ_NOTIFY_CQ, stub("reqNotifyCq", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)));
        ctx.set(ADDRESS, CTX_POST_SEND, stub("postSend", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)));
        ctx.set(ADDRESS, CTX_POST_RECV, stub("postRecv", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)));
        vctx.set(ADDRESS, VCTX_CREATE_FLOW, stub("createFlow", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS)));
        vctx.set(ADDRESS, VCTX_DESTROY_FLOW, stub("destroyFlow", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
        vctx.set(ADDRESS, VCTX_CREATE_CQ_EX, stub("createCqEx", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS)));
    }

    @AfterEach
    void free() {
        arena.close();
    }

    private MemorySegment stub(String name, FunctionDescriptor fd) throws ReflectiveOperationException {
        MethodHandle target = MethodHandles.lookup().findStatic(NativeVerbsDispatchTest.class, name, fd.toMethodType());
        return LINKER.upcallStub(target, fd, arena);
    }

    private NativeVerbs.NativeContext bound() {
        return NativeVerbs.bind(MemorySegment.ofAddress(ctx.address()), "mlx5_0", "mlx5_0:1");
    }

    private static void record(String call, long a0, long a1, long a2) {
        lastCall = call;
        arg0 = a0;
        arg1 = a1;
        arg2 = a2;
        calls++;
    }

    private static void setErrno(int value) {
        try {
            ((MemorySegment) ERRNO_LOCATION.invokeExact()).reinterpret(4).set(JAVA_INT, 0, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ---- the stubs, in C's signatures ----

    static int pollCq(MemorySegment cq, int entries, MemorySegment wc) {
        record("poll_cq", cq.address(), entries, wc.address());
        MemorySegment w = wc.reinterpret(IBV_WC.byteSize() * entries);
        WC_WR_ID.set(w, 0L, 7L);
        WC_STATUS.set(w, 0L, IBV_WC_SUCCESS);
        WC_BYTE_LEN.set(w, 0L, 99);
        return returnValue;
    }

    static int reqNotifyCq(MemorySegment cq, int solicitedOnly) {
        record("req_notify_cq", cq.address(), solicitedOnly, 0);
        return returnValue;
    }

    static int postSend(MemorySegment qp, MemorySegment wr, MemorySegment bad) {
        record("post_send", qp.address(), wr.address(), bad.address());
        return returnValue;
    }

    static int postRecv(MemorySegment qp, MemorySegment wr, MemorySegment bad) {
        record("post_recv", qp.address(), wr.address(), bad.address());
        bad.reinterpret(8).set(ADDRESS, 0, wr);
        return returnValue;
    }

    static MemorySegment createFlow(MemorySegment qp, MemorySegment attr) {
        MemorySegment a = attr.reinterpret(IBV_FLOW_ATTR.byteSize());
        record("create_flow", qp.address(), (int) FLOW_ATTR_TYPE.get(a, 0L), (byte) FLOW_ATTR_PORT.get(a, 0L));
        setErrno(errnoToSet);
        return returnPointer;
    }

    static int destroyFlow(MemorySegment flow) {
        record("destroy_flow", flow.address(), 0, 0);
        return returnValue;
    }

    static MemorySegment createCqEx(MemorySegment context, MemorySegment attr) {
        MemorySegment a = attr.reinterpret(IBV_CQ_INIT_ATTR_EX.byteSize());
        record("create_cq_ex", context.address(), (int) CQ_ATTR_EX_CQE.get(a, 0L), (long) CQ_ATTR_EX_WC_FLAGS.get(a, 0L));
        setErrno(errnoToSet);
        return returnPointer;
    }

    static int startPoll(MemorySegment cq, MemorySegment attr) {
        record("start_poll", cq.address(), attr.address(), 0);
        MemorySegment c = cq.reinterpret(IBV_CQ_EX.byteSize());
        CQ_EX_WR_ID.set(c, 0L, 3L);
        CQ_EX_STATUS.set(c, 0L, IBV_WC_LOC_LEN_ERR);
        return 0;
    }

    static int nextPoll(MemorySegment cq) {
        record("next_poll", cq.address(), 0, 0);
        return RdmaErrors.ENOENT;
    }

    static void endPoll(MemorySegment cq) {
        record("end_poll", cq.address(), 0, 0);
    }

    static int readByteLen(MemorySegment cq) {
        record("read_byte_len", cq.address(), 0, 0);
        return 1234;
    }

    static long readWallclock(MemorySegment cq) {
        record("read_completion_wallclock_ns", cq.address(), 0, 0);
        return 1_700_000_000_123_456_789L;
    }

    // ---- tests ----

    @Test
    void pollCqGoesThroughOpsPollCqWithTheCqEntriesAndCompletionArray() {
        MemorySegment cq = arena.allocate(IBV_CQ);
        MemorySegment wc = arena.allocate(IBV_WC, 16);
        returnValue = 1;
        assertThat(bound().pollCq(cq, 16, wc)).isEqualTo(1);
        assertThat(lastCall).isEqualTo("poll_cq");
        assertThat(new long[] {arg0, arg1, arg2}).containsExactly(cq.address(), 16, wc.address());
        assertThat((long) WC_WR_ID.get(wc, 0L)).isEqualTo(7L);
        assertThat((int) WC_BYTE_LEN.get(wc, 0L)).isEqualTo(99);
        returnValue = -1;
        assertThat(bound().pollCq(cq, 16, wc)).as("a negative count is passed through for the caller").isEqualTo(-1);
    }

    @Test
    void reqNotifyCqGoesThroughOpsReqNotifyCqAndReturnsItsErrnoValue() {
        MemorySegment cq = arena.allocate(IBV_CQ);
        assertThat(bound().reqNotifyCq(cq, false)).isZero();
        assertThat(lastCall).isEqualTo("req_notify_cq");
        assertThat(new long[] {arg0, arg1}).containsExactly(cq.address(), 0);
        returnValue = RdmaErrors.EINVAL;
        assertThat(bound().reqNotifyCq(cq, true)).isEqualTo(RdmaErrors.EINVAL);
        assertThat(arg1).isEqualTo(1);
    }

    @Test
    void postRecvAndPostSendGoThroughTheirOwnPointers() {
        MemorySegment qp = arena.allocate(IBV_QP);
        MemorySegment wr = arena.allocate(IBV_RECV_WR);
        MemorySegment bad = arena.allocate(ADDRESS);
        returnValue = RdmaErrors.EINVAL;
        NativeVerbs.NativeContext c = bound();
        assertThat(c.postRecv(qp, wr, bad)).isEqualTo(RdmaErrors.EINVAL);
        assertThat(lastCall).isEqualTo("post_recv");
        assertThat(new long[] {arg0, arg1, arg2}).containsExactly(qp.address(), wr.address(), bad.address());
        assertThat(bad.get(ADDRESS, 0).address()).isEqualTo(wr.address());
        returnValue = RdmaErrors.ENOMEM;
        assertThat(c.postSend(qp, wr, bad)).isEqualTo(RdmaErrors.ENOMEM);
        assertThat(lastCall).isEqualTo("post_send");
        assertThat(calls).isEqualTo(2);
    }

    @Test
    void createFlowGoesThroughTheVerbsContextEightyBytesBeforeTheContext() {
        MemorySegment qp = arena.allocate(IBV_QP);
        MemorySegment flow = arena.allocate(IBV_FLOW);
        returnPointer = flow;
        errnoToSet = RdmaErrors.ENOENT; // stale errno after a success must not matter
        MemorySegment attr = arena.allocate(IBV_FLOW_ATTR);
        FLOW_ATTR_TYPE.set(attr, 0L, IBV_FLOW_ATTR_SNIFFER);
        FLOW_ATTR_PORT.set(attr, 0L, (byte) 1);
        assertThat(bound().createFlow(qp, attr).address()).isEqualTo(flow.address());
        assertThat(lastCall).isEqualTo("create_flow");
        assertThat(new long[] {arg0, arg1, arg2}).containsExactly(qp.address(), IBV_FLOW_ATTR_SNIFFER, 1);
        assertThat(vctx.get(ADDRESS, VCTX_CREATE_FLOW).address())
                .isEqualTo(MemorySegment.ofAddress(ctx.address() - 80).reinterpret(8).get(ADDRESS, 0).address());
    }

    @Test
    void aFailedCreateFlowIsReadFromErrnoAndNamesTheProvider() {
        returnPointer = MemorySegment.NULL;
        errnoToSet = RdmaErrors.EOPNOTSUPP;
        MemorySegment attr = arena.allocate(IBV_FLOW_ATTR);
        FLOW_ATTR_TYPE.set(attr, 0L, IBV_FLOW_ATTR_SNIFFER);
        assertThatThrownBy(() -> bound().createFlow(arena.allocate(IBV_QP), attr))
                .isInstanceOf(NativeCallException.class)
                .hasMessageStartingWith("ibv_create_flow(SNIFFER) on mlx5_0:1: EOPNOTSUPP (Operation not supported):"
                        + " not supported by provider mlx5 (or its firmware)");
        assertThat(calls).isEqualTo(1);
    }

    @Test
    void destroyFlowGoesThroughTheVerbsContextNinetySixBytesBeforeTheContext() {
        MemorySegment flow = arena.allocate(IBV_FLOW);
        returnValue = RdmaErrors.EBUSY;
        assertThat(bound().destroyFlow(flow)).isEqualTo(RdmaErrors.EBUSY);
        assertThat(lastCall).isEqualTo("destroy_flow");
        assertThat(arg0).isEqualTo(flow.address());
    }

    @Test
    void withoutAVerbsContextTheFlowVerbsAreUnsupportedAndNothingIsCalled() {
        ctx.set(JAVA_LONG, CTX_ABI_COMPAT, 0L);
        NativeVerbs.NativeContext c = bound();
        MemorySegment attr = arena.allocate(IBV_FLOW_ATTR);
        FLOW_ATTR_TYPE.set(attr, 0L, IBV_FLOW_ATTR_SNIFFER);
        assertThatThrownBy(() -> c.createFlow(arena.allocate(IBV_QP), attr))
                .hasMessageContaining("EOPNOTSUPP");
        assertThat(c.destroyFlow(arena.allocate(IBV_FLOW))).isEqualTo(RdmaErrors.EOPNOTSUPP);
        assertThatThrownBy(() -> c.createCqEx(arena.allocate(IBV_CQ_INIT_ATTR_EX)))
                .hasMessageContaining("ibv_create_cq_ex on mlx5_0:1: EOPNOTSUPP");
        assertThat(calls).isZero();
    }

    @Test
    void aVerbsContextTooSmallForTheOpOrANullPointerMeansUnsupported() {
        // sz must cover the op: 648 - 240 = 408 bytes for ibv_create_flow.
        vctx.set(JAVA_LONG, VCTX_SZ, VERBS_CONTEXT.byteSize() - VCTX_CREATE_FLOW - 1);
        MemorySegment attr = arena.allocate(IBV_FLOW_ATTR);
        assertThatThrownBy(() -> bound().createFlow(arena.allocate(IBV_QP), attr)).hasMessageContaining("EOPNOTSUPP");
        vctx.set(JAVA_LONG, VCTX_SZ, VERBS_CONTEXT.byteSize() - VCTX_CREATE_FLOW);
        vctx.set(ADDRESS, VCTX_CREATE_FLOW, MemorySegment.NULL);
        assertThatThrownBy(() -> bound().createFlow(arena.allocate(IBV_QP), attr)).hasMessageContaining("EOPNOTSUPP");
        assertThat(calls).isZero();
    }

    @Test
    void anExtendedCqIsCreatedThroughTheVerbsContextAndPolledThroughItsOwnOps() throws Exception {
        MemorySegment cqEx = arena.allocate(IBV_CQ_EX);
        cqEx.set(ADDRESS, CQ_EX_START_POLL, stub("startPoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)));
        cqEx.set(ADDRESS, CQ_EX_NEXT_POLL, stub("nextPoll", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
        cqEx.set(ADDRESS, CQ_EX_END_POLL, stub("endPoll", FunctionDescriptor.ofVoid(ADDRESS)));
        cqEx.set(ADDRESS, CQ_EX_READ_BYTE_LEN, stub("readByteLen", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
        cqEx.set(ADDRESS, CQ_EX_READ_COMPLETION_WALLCLOCK_NS, stub("readWallclock", FunctionDescriptor.of(JAVA_LONG, ADDRESS)));
        returnPointer = cqEx;
        MemorySegment attr = arena.allocate(IBV_CQ_INIT_ATTR_EX);
        CQ_ATTR_EX_CQE.set(attr, 0L, 512);
        CQ_ATTR_EX_WC_FLAGS.set(attr, 0L, IBV_WC_EX_WITH_BYTE_LEN | IBV_WC_EX_WITH_COMPLETION_TIMESTAMP_WALLCLOCK);

        Verbs.ExtendedCq cq = bound().createCqEx(attr);
        assertThat(lastCall).isEqualTo("create_cq_ex");
        assertThat(new long[] {arg0, arg1, arg2}).containsExactly(ctx.address(), 512, 0x801);
        assertThat(cq.cq().address()).isEqualTo(cqEx.address());

        assertThat(cq.startPoll()).isZero();
        assertThat(lastCall).isEqualTo("start_poll");
        assertThat(arg0).isEqualTo(cqEx.address());
        assertThat(cq.wrId()).isEqualTo(3L);
        assertThat(cq.status()).isEqualTo(IBV_WC_LOC_LEN_ERR);
        assertThat(cq.readByteLen()).isEqualTo(1234);
        assertThat(cq.readCompletionWallclockNs()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(cq.nextPoll()).isEqualTo(RdmaErrors.ENOENT);
        cq.endPoll();
        assertThat(lastCall).isEqualTo("end_poll");
    }

    @Test
    void aFailedExtendedCqReportsErrnoSoTheReaderCanFallBack() {
        returnPointer = MemorySegment.NULL;
        errnoToSet = RdmaErrors.EOPNOTSUPP;
        assertThatThrownBy(() -> bound().createCqEx(arena.allocate(IBV_CQ_INIT_ATTR_EX)))
                .isInstanceOfSatisfying(NativeCallException.class, e -> assertThat(e.errno()).isEqualTo(95))
                .hasMessageStartingWith("ibv_create_cq_ex on mlx5_0:1: EOPNOTSUPP (Operation not supported):"
                        + " provider mlx5 gives no hardware completion timestamps");
    }

    @Test
    void theVerbsContextIsFoundThreeHundredTwentyBytesBeforeTheContext() {
        MemorySegment v = NativeVerbs.NativeContext.verbsContext(MemorySegment.ofAddress(ctx.address()).reinterpret(328));
        assertThat(v.address()).isEqualTo(vctx.address());
        assertThat(v.byteSize()).isEqualTo(648);
        assertThat(v.get(JAVA_LONG, VCTX_SZ)).isEqualTo(648);
    }
}
