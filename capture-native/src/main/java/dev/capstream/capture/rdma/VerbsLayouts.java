package dev.capstream.capture.rdma;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libibverbs structs of {@code <infiniband/verbs.h>} (rdma-core 44, x86_64) that capstream
 * reads or writes, described once each with their C field names. {@code VerbsLayoutsTest} pins
 * every size and offset to what gcc's {@code offsetof}/{@code sizeof} reported for that header.
 *
 * <p>VarHandles take {@code (MemorySegment, long baseOffset)}. Unsigned C fields come back signed;
 * mask them. Function-pointer fields are {@code ADDRESS}.
 */
final class VerbsLayouts {

    private VerbsLayouts() {}

    // ---- constants (enum values and flags of verbs.h) ----

    static final int IBV_QPT_UD = 4;
    static final int IBV_QPT_RAW_PACKET = 8;

    static final int IBV_QPS_RESET = 0;
    static final int IBV_QPS_INIT = 1;
    static final int IBV_QPS_RTR = 2;
    static final int IBV_QPS_RTS = 3;
    static final int IBV_QPS_ERR = 6;

    static final int IBV_QP_STATE = 1;
    static final int IBV_QP_PKEY_INDEX = 1 << 4;
    static final int IBV_QP_PORT = 1 << 5;
    static final int IBV_QP_QKEY = 1 << 6;
    static final int IBV_QP_SQ_PSN = 1 << 16;

    static final int IBV_FLOW_ATTR_SNIFFER = 3;
    static final int IBV_ACCESS_LOCAL_WRITE = 1;

    static final int IBV_LINK_LAYER_UNSPECIFIED = 0;
    static final int IBV_LINK_LAYER_INFINIBAND = 1;
    static final int IBV_LINK_LAYER_ETHERNET = 2;

    static final int IBV_WC_SUCCESS = 0;
    static final int IBV_WC_LOC_LEN_ERR = 1;
    static final int IBV_WC_LOC_PROT_ERR = 4;
    static final int IBV_WC_WR_FLUSH_ERR = 5;
    static final int IBV_WC_GENERAL_ERR = 21;
    static final int IBV_WC_RECV = 128;

    static final long IBV_WC_EX_WITH_BYTE_LEN = 1;
    static final long IBV_WC_EX_WITH_COMPLETION_TIMESTAMP = 1 << 7;
    static final long IBV_WC_EX_WITH_COMPLETION_TIMESTAMP_WALLCLOCK = 1 << 11;

    static final int IBV_WR_SEND = 2;
    static final int IBV_SEND_SIGNALED = 2;

    /** UD receives start with this many bytes of (possibly unused) GRH. */
    static final int UD_GRH_BYTES = 40;

    /** {@code ctx->abi_compat} of a context that has a verbs_context in front of it: {@code (void *)UINTPTR_MAX}. */
    static final long ABI_COMPAT_EXTENDED = -1L;

    // ---- ibv_device: what ibv_get_device_list points at ----

    static final StructLayout IBV_DEVICE = MemoryLayout.structLayout(
            MemoryLayout.structLayout(ADDRESS.withName("_dummy1"), ADDRESS.withName("_dummy2")).withName("_ops"),
            JAVA_INT.withName("node_type"),
            JAVA_INT.withName("transport_type"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("name"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("dev_name"),
            MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("dev_path"),
            MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("ibdev_path"))
            .withName("ibv_device");

    static final long IBV_DEVICE_NAME_OFFSET = offsetOf(IBV_DEVICE, "name");

    // ---- ibv_context and its ops table ----

    private static final String[] CONTEXT_OPS = {
        "_compat_query_device", "_compat_query_port", "_compat_alloc_pd", "_compat_dealloc_pd",
        "_compat_reg_mr", "_compat_rereg_mr", "_compat_dereg_mr", "alloc_mw", "bind_mw", "dealloc_mw",
        "_compat_create_cq", "poll_cq", "req_notify_cq", "_compat_cq_event", "_compat_resize_cq",
        "_compat_destroy_cq", "_compat_create_srq", "_compat_modify_srq", "_compat_query_srq",
        "_compat_destroy_srq", "post_srq_recv", "_compat_create_qp", "_compat_query_qp",
        "_compat_modify_qp", "_compat_destroy_qp", "post_send", "post_recv", "_compat_create_ah",
        "_compat_destroy_ah", "_compat_attach_mcast", "_compat_detach_mcast", "_compat_async_event"};

    static final StructLayout IBV_CONTEXT_OPS = pointers("ibv_context_ops", CONTEXT_OPS);

    static final StructLayout IBV_CONTEXT = MemoryLayout.structLayout(
            ADDRESS.withName("device"),
            IBV_CONTEXT_OPS.withName("ops"),
            JAVA_INT.withName("cmd_fd"),
            JAVA_INT.withName("async_fd"),
            JAVA_INT.withName("num_comp_vectors"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("mutex"),
            ADDRESS.withName("abi_compat"))
            .withName("ibv_context");

    static final long CTX_POLL_CQ = offsetOf(IBV_CONTEXT, "ops", "poll_cq");
    static final long CTX_REQ_NOTIFY_CQ = offsetOf(IBV_CONTEXT, "ops", "req_notify_cq");
    static final long CTX_POST_SEND = offsetOf(IBV_CONTEXT, "ops", "post_send");
    static final long CTX_POST_RECV = offsetOf(IBV_CONTEXT, "ops", "post_recv");
    static final long CTX_ABI_COMPAT = offsetOf(IBV_CONTEXT, "abi_compat");
    static final VarHandle CTX_DEVICE = handle(IBV_CONTEXT, "device");

    // ---- verbs_context: the extended ops table; the ibv_context is its last member ----

    private static final String[] VERBS_CONTEXT_OPS = {
        "query_port", "advise_mr", "alloc_null_mr", "read_counters", "attach_counters_point_flow",
        "create_counters", "destroy_counters", "reg_dm_mr", "alloc_dm", "free_dm",
        "modify_flow_action_esp", "destroy_flow_action", "create_flow_action_esp", "modify_qp_rate_limit",
        "alloc_parent_domain", "dealloc_td", "alloc_td", "modify_cq", "post_srq_ops",
        "destroy_rwq_ind_table", "create_rwq_ind_table", "destroy_wq", "modify_wq", "create_wq",
        "query_rt_values", "create_cq_ex", "priv", "query_device_ex", "ibv_destroy_flow",
        "ABI_placeholder2", "ibv_create_flow", "ABI_placeholder1", "open_qp", "create_qp_ex",
        "get_srq_num", "create_srq_ex", "open_xrcd", "close_xrcd"};

    static final StructLayout VERBS_CONTEXT = MemoryLayout.structLayout(
            pointers("verbs_context_ops", VERBS_CONTEXT_OPS).withName("ops"),
            JAVA_LONG.withName("_ABI_placeholder3"),
            JAVA_LONG.withName("sz"),
            IBV_CONTEXT.withName("context"))
            .withName("verbs_context");

    /** Where the ibv_context sits inside its verbs_context: the context address minus this is the vctx. */
    static final long VCTX_CONTEXT = offsetOf(VERBS_CONTEXT, "context");
    static final long VCTX_SZ = offsetOf(VERBS_CONTEXT, "sz");
    static final long VCTX_CREATE_CQ_EX = offsetOf(VERBS_CONTEXT, "ops", "create_cq_ex");
    static final long VCTX_DESTROY_FLOW = offsetOf(VERBS_CONTEXT, "ops", "ibv_destroy_flow");
    static final long VCTX_CREATE_FLOW = offsetOf(VERBS_CONTEXT, "ops", "ibv_create_flow");

    // ---- small objects ----

    static final StructLayout IBV_PD = MemoryLayout.structLayout(
            ADDRESS.withName("context"),
            JAVA_INT.withName("handle"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_pd");

    static final StructLayout IBV_COMP_CHANNEL = MemoryLayout.structLayout(
            ADDRESS.withName("context"),
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("refcnt"))
            .withName("ibv_comp_channel");

    static final VarHandle CHANNEL_CONTEXT = handle(IBV_COMP_CHANNEL, "context");
    static final VarHandle CHANNEL_FD = handle(IBV_COMP_CHANNEL, "fd");

    static final StructLayout IBV_CQ = MemoryLayout.structLayout(
            ADDRESS.withName("context"),
            ADDRESS.withName("channel"),
            ADDRESS.withName("cq_context"),
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("cqe"),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("mutex"),
            MemoryLayout.sequenceLayout(48, JAVA_BYTE).withName("cond"),
            JAVA_INT.withName("comp_events_completed"),
            JAVA_INT.withName("async_events_completed"))
            .withName("ibv_cq");

    static final VarHandle CQ_CONTEXT = handle(IBV_CQ, "context");
    static final VarHandle CQ_CHANNEL = handle(IBV_CQ, "channel");
    static final VarHandle CQ_CQE = handle(IBV_CQ, "cqe");
    static final VarHandle CQ_COMP_EVENTS_COMPLETED = handle(IBV_CQ, "comp_events_completed");

    // ibv_cq_ex: an ibv_cq header (so get_cq_event/ack/notify/destroy take it as is), then the
    // current completion's status and wr_id, then the poll and read function pointers.
    static final StructLayout IBV_CQ_EX = MemoryLayout.structLayout(
            ADDRESS.withName("context"),
            ADDRESS.withName("channel"),
            ADDRESS.withName("cq_context"),
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("cqe"),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("mutex"),
            MemoryLayout.sequenceLayout(48, JAVA_BYTE).withName("cond"),
            JAVA_INT.withName("comp_events_completed"),
            JAVA_INT.withName("async_events_completed"),
            JAVA_INT.withName("comp_mask"),
            JAVA_INT.withName("status"),
            JAVA_LONG.withName("wr_id"),
            ADDRESS.withName("start_poll"),
            ADDRESS.withName("next_poll"),
            ADDRESS.withName("end_poll"),
            ADDRESS.withName("read_opcode"),
            ADDRESS.withName("read_vendor_err"),
            ADDRESS.withName("read_byte_len"),
            ADDRESS.withName("read_imm_data"),
            ADDRESS.withName("read_qp_num"),
            ADDRESS.withName("read_src_qp"),
            ADDRESS.withName("read_wc_flags"),
            ADDRESS.withName("read_slid"),
            ADDRESS.withName("read_sl"),
            ADDRESS.withName("read_dlid_path_bits"),
            ADDRESS.withName("read_completion_ts"),
            ADDRESS.withName("read_cvlan"),
            ADDRESS.withName("read_flow_tag"),
            ADDRESS.withName("read_tm_info"),
            ADDRESS.withName("read_completion_wallclock_ns"))
            .withName("ibv_cq_ex");

    static final VarHandle CQ_EX_STATUS = handle(IBV_CQ_EX, "status");
    static final VarHandle CQ_EX_WR_ID = handle(IBV_CQ_EX, "wr_id");
    static final long CQ_EX_START_POLL = offsetOf(IBV_CQ_EX, "start_poll");
    static final long CQ_EX_NEXT_POLL = offsetOf(IBV_CQ_EX, "next_poll");
    static final long CQ_EX_END_POLL = offsetOf(IBV_CQ_EX, "end_poll");
    static final long CQ_EX_READ_BYTE_LEN = offsetOf(IBV_CQ_EX, "read_byte_len");
    static final long CQ_EX_READ_COMPLETION_WALLCLOCK_NS = offsetOf(IBV_CQ_EX, "read_completion_wallclock_ns");

    static final StructLayout IBV_POLL_CQ_ATTR = MemoryLayout.structLayout(
            JAVA_INT.withName("comp_mask"))
            .withName("ibv_poll_cq_attr");

    static final StructLayout IBV_CQ_INIT_ATTR_EX = MemoryLayout.structLayout(
            JAVA_INT.withName("cqe"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("cq_context"),
            ADDRESS.withName("channel"),
            JAVA_INT.withName("comp_vector"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("wc_flags"),
            JAVA_INT.withName("comp_mask"),
            JAVA_INT.withName("flags"),
            ADDRESS.withName("parent_domain"))
            .withName("ibv_cq_init_attr_ex");

    static final VarHandle CQ_ATTR_EX_CQE = handle(IBV_CQ_INIT_ATTR_EX, "cqe");
    static final VarHandle CQ_ATTR_EX_CHANNEL = handle(IBV_CQ_INIT_ATTR_EX, "channel");
    static final VarHandle CQ_ATTR_EX_COMP_VECTOR = handle(IBV_CQ_INIT_ATTR_EX, "comp_vector");
    static final VarHandle CQ_ATTR_EX_WC_FLAGS = handle(IBV_CQ_INIT_ATTR_EX, "wc_flags");

    static final StructLayout IBV_QP = MemoryLayout.structLayout(
            ADDRESS.withName("context"),
            ADDRESS.withName("qp_context"),
            ADDRESS.withName("pd"),
            ADDRESS.withName("send_cq"),
            ADDRESS.withName("recv_cq"),
            ADDRESS.withName("srq"),
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("qp_num"),
            JAVA_INT.withName("state"),
            JAVA_INT.withName("qp_type"),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("mutex"),
            MemoryLayout.sequenceLayout(48, JAVA_BYTE).withName("cond"),
            JAVA_INT.withName("events_completed"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_qp");

    static final VarHandle QP_CONTEXT = handle(IBV_QP, "context");
    static final VarHandle QP_PD = handle(IBV_QP, "pd");
    static final VarHandle QP_RECV_CQ = handle(IBV_QP, "recv_cq");
    static final VarHandle QP_SEND_CQ = handle(IBV_QP, "send_cq");
    static final VarHandle QP_NUM = handle(IBV_QP, "qp_num");
    static final VarHandle QP_STATE = handle(IBV_QP, "state");
    static final VarHandle QP_TYPE = handle(IBV_QP, "qp_type");

    static final StructLayout IBV_QP_CAP = MemoryLayout.structLayout(
            JAVA_INT.withName("max_send_wr"),
            JAVA_INT.withName("max_recv_wr"),
            JAVA_INT.withName("max_send_sge"),
            JAVA_INT.withName("max_recv_sge"),
            JAVA_INT.withName("max_inline_data"))
            .withName("ibv_qp_cap");

    static final StructLayout IBV_QP_INIT_ATTR = MemoryLayout.structLayout(
            ADDRESS.withName("qp_context"),
            ADDRESS.withName("send_cq"),
            ADDRESS.withName("recv_cq"),
            ADDRESS.withName("srq"),
            IBV_QP_CAP.withName("cap"),
            JAVA_INT.withName("qp_type"),
            JAVA_INT.withName("sq_sig_all"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_qp_init_attr");

    static final VarHandle QP_INIT_SEND_CQ = handle(IBV_QP_INIT_ATTR, "send_cq");
    static final VarHandle QP_INIT_RECV_CQ = handle(IBV_QP_INIT_ATTR, "recv_cq");
    static final VarHandle QP_INIT_MAX_SEND_WR = handle(IBV_QP_INIT_ATTR, "cap", "max_send_wr");
    static final VarHandle QP_INIT_MAX_RECV_WR = handle(IBV_QP_INIT_ATTR, "cap", "max_recv_wr");
    static final VarHandle QP_INIT_MAX_SEND_SGE = handle(IBV_QP_INIT_ATTR, "cap", "max_send_sge");
    static final VarHandle QP_INIT_MAX_RECV_SGE = handle(IBV_QP_INIT_ATTR, "cap", "max_recv_sge");
    static final VarHandle QP_INIT_QP_TYPE = handle(IBV_QP_INIT_ATTR, "qp_type");
    static final VarHandle QP_INIT_SQ_SIG_ALL = handle(IBV_QP_INIT_ATTR, "sq_sig_all");

    // ibv_global_route holds a union ibv_gid with 64-bit members, so it (and ibv_ah_attr,
    // ibv_qp_attr) is 8-byte aligned.
    static final StructLayout IBV_GLOBAL_ROUTE = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("dgid"),
            JAVA_INT.withName("flow_label"),
            JAVA_BYTE.withName("sgid_index"),
            JAVA_BYTE.withName("hop_limit"),
            JAVA_BYTE.withName("traffic_class"),
            MemoryLayout.paddingLayout(1))
            .withByteAlignment(8)
            .withName("ibv_global_route");

    static final StructLayout IBV_AH_ATTR = MemoryLayout.structLayout(
            IBV_GLOBAL_ROUTE.withName("grh"),
            JAVA_SHORT.withName("dlid"),
            JAVA_BYTE.withName("sl"),
            JAVA_BYTE.withName("src_path_bits"),
            JAVA_BYTE.withName("static_rate"),
            JAVA_BYTE.withName("is_global"),
            JAVA_BYTE.withName("port_num"),
            MemoryLayout.paddingLayout(1))
            .withName("ibv_ah_attr");

    static final long AH_ATTR_DGID = offsetOf(IBV_AH_ATTR, "grh", "dgid");
    static final VarHandle AH_ATTR_SGID_INDEX = handle(IBV_AH_ATTR, "grh", "sgid_index");
    static final VarHandle AH_ATTR_HOP_LIMIT = handle(IBV_AH_ATTR, "grh", "hop_limit");
    static final VarHandle AH_ATTR_IS_GLOBAL = handle(IBV_AH_ATTR, "is_global");
    static final VarHandle AH_ATTR_PORT_NUM = handle(IBV_AH_ATTR, "port_num");

    static final StructLayout IBV_QP_ATTR = MemoryLayout.structLayout(
            JAVA_INT.withName("qp_state"),
            JAVA_INT.withName("cur_qp_state"),
            JAVA_INT.withName("path_mtu"),
            JAVA_INT.withName("path_mig_state"),
            JAVA_INT.withName("qkey"),
            JAVA_INT.withName("rq_psn"),
            JAVA_INT.withName("sq_psn"),
            JAVA_INT.withName("dest_qp_num"),
            JAVA_INT.withName("qp_access_flags"),
            IBV_QP_CAP.withName("cap"),
            IBV_AH_ATTR.withName("ah_attr"),
            IBV_AH_ATTR.withName("alt_ah_attr"),
            JAVA_SHORT.withName("pkey_index"),
            JAVA_SHORT.withName("alt_pkey_index"),
            JAVA_BYTE.withName("en_sqd_async_notify"),
            JAVA_BYTE.withName("sq_draining"),
            JAVA_BYTE.withName("max_rd_atomic"),
            JAVA_BYTE.withName("max_dest_rd_atomic"),
            JAVA_BYTE.withName("min_rnr_timer"),
            JAVA_BYTE.withName("port_num"),
            JAVA_BYTE.withName("timeout"),
            JAVA_BYTE.withName("retry_cnt"),
            JAVA_BYTE.withName("rnr_retry"),
            JAVA_BYTE.withName("alt_port_num"),
            JAVA_BYTE.withName("alt_timeout"),
            MemoryLayout.paddingLayout(1),
            JAVA_INT.withName("rate_limit"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_qp_attr");

    static final VarHandle QP_ATTR_STATE = handle(IBV_QP_ATTR, "qp_state");
    static final VarHandle QP_ATTR_QKEY = handle(IBV_QP_ATTR, "qkey");
    static final VarHandle QP_ATTR_SQ_PSN = handle(IBV_QP_ATTR, "sq_psn");
    static final VarHandle QP_ATTR_PKEY_INDEX = handle(IBV_QP_ATTR, "pkey_index");
    static final VarHandle QP_ATTR_PORT_NUM = handle(IBV_QP_ATTR, "port_num");

    static final StructLayout IBV_SGE = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("length"),
            JAVA_INT.withName("lkey"))
            .withName("ibv_sge");

    static final VarHandle SGE_ADDR = handle(IBV_SGE, "addr");
    static final VarHandle SGE_LENGTH = handle(IBV_SGE, "length");
    static final VarHandle SGE_LKEY = handle(IBV_SGE, "lkey");

    static final StructLayout IBV_RECV_WR = MemoryLayout.structLayout(
            JAVA_LONG.withName("wr_id"),
            ADDRESS.withName("next"),
            ADDRESS.withName("sg_list"),
            JAVA_INT.withName("num_sge"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_recv_wr");

    static final VarHandle RECV_WR_ID = handle(IBV_RECV_WR, "wr_id");
    static final VarHandle RECV_WR_NEXT = handle(IBV_RECV_WR, "next");
    static final long RECV_WR_NEXT_OFFSET = offsetOf(IBV_RECV_WR, "next");
    static final VarHandle RECV_WR_SG_LIST = handle(IBV_RECV_WR, "sg_list");
    static final VarHandle RECV_WR_NUM_SGE = handle(IBV_RECV_WR, "num_sge");

    static final StructLayout IBV_SEND_WR = MemoryLayout.structLayout(
            JAVA_LONG.withName("wr_id"),
            ADDRESS.withName("next"),
            ADDRESS.withName("sg_list"),
            JAVA_INT.withName("num_sge"),
            JAVA_INT.withName("opcode"),
            JAVA_INT.withName("send_flags"),
            JAVA_INT.withName("imm_data"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(
                            ADDRESS.withName("ah"),
                            JAVA_INT.withName("remote_qpn"),
                            JAVA_INT.withName("remote_qkey")).withName("ud"),
                    MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("atomic")).withName("wr"),
            JAVA_INT.withName("qp_type"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.sequenceLayout(48, JAVA_BYTE).withName("bind_mw"))
            .withName("ibv_send_wr");

    static final VarHandle SEND_WR_ID = handle(IBV_SEND_WR, "wr_id");
    static final VarHandle SEND_WR_SG_LIST = handle(IBV_SEND_WR, "sg_list");
    static final VarHandle SEND_WR_NUM_SGE = handle(IBV_SEND_WR, "num_sge");
    static final VarHandle SEND_WR_OPCODE = handle(IBV_SEND_WR, "opcode");
    static final VarHandle SEND_WR_SEND_FLAGS = handle(IBV_SEND_WR, "send_flags");
    static final VarHandle SEND_WR_UD_AH = handle(IBV_SEND_WR, "wr", "ud", "ah");
    static final VarHandle SEND_WR_UD_REMOTE_QPN = handle(IBV_SEND_WR, "wr", "ud", "remote_qpn");
    static final VarHandle SEND_WR_UD_REMOTE_QKEY = handle(IBV_SEND_WR, "wr", "ud", "remote_qkey");

    static final StructLayout IBV_WC = MemoryLayout.structLayout(
            JAVA_LONG.withName("wr_id"),
            JAVA_INT.withName("status"),
            JAVA_INT.withName("opcode"),
            JAVA_INT.withName("vendor_err"),
            JAVA_INT.withName("byte_len"),
            JAVA_INT.withName("imm_data"),
            JAVA_INT.withName("qp_num"),
            JAVA_INT.withName("src_qp"),
            JAVA_INT.withName("wc_flags"),
            JAVA_SHORT.withName("pkey_index"),
            JAVA_SHORT.withName("slid"),
            JAVA_BYTE.withName("sl"),
            JAVA_BYTE.withName("dlid_path_bits"),
            MemoryLayout.paddingLayout(2))
            .withName("ibv_wc");

    static final VarHandle WC_WR_ID = handle(IBV_WC, "wr_id");
    static final VarHandle WC_STATUS = handle(IBV_WC, "status");
    static final VarHandle WC_OPCODE = handle(IBV_WC, "opcode");
    static final VarHandle WC_VENDOR_ERR = handle(IBV_WC, "vendor_err");
    static final VarHandle WC_BYTE_LEN = handle(IBV_WC, "byte_len");
    static final VarHandle WC_QP_NUM = handle(IBV_WC, "qp_num");

    static final StructLayout IBV_FLOW_ATTR = MemoryLayout.structLayout(
            JAVA_INT.withName("comp_mask"),
            JAVA_INT.withName("type"),
            JAVA_SHORT.withName("size"),
            JAVA_SHORT.withName("priority"),
            JAVA_BYTE.withName("num_of_specs"),
            JAVA_BYTE.withName("port"),
            MemoryLayout.paddingLayout(2),
            JAVA_INT.withName("flags"))
            .withName("ibv_flow_attr");

    static final VarHandle FLOW_ATTR_TYPE = handle(IBV_FLOW_ATTR, "type");
    static final VarHandle FLOW_ATTR_SIZE = handle(IBV_FLOW_ATTR, "size");
    static final VarHandle FLOW_ATTR_NUM_OF_SPECS = handle(IBV_FLOW_ATTR, "num_of_specs");
    static final VarHandle FLOW_ATTR_PORT = handle(IBV_FLOW_ATTR, "port");

    static final StructLayout IBV_FLOW = MemoryLayout.structLayout(
            JAVA_INT.withName("comp_mask"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("context"),
            JAVA_INT.withName("handle"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_flow");

    static final VarHandle FLOW_CONTEXT = handle(IBV_FLOW, "context");

    // The full struct with port_cap_flags2; the exported ibv_query_port fills the first 48 bytes.
    static final StructLayout IBV_PORT_ATTR = MemoryLayout.structLayout(
            JAVA_INT.withName("state"),
            JAVA_INT.withName("max_mtu"),
            JAVA_INT.withName("active_mtu"),
            JAVA_INT.withName("gid_tbl_len"),
            JAVA_INT.withName("port_cap_flags"),
            JAVA_INT.withName("max_msg_sz"),
            JAVA_INT.withName("bad_pkey_cntr"),
            JAVA_INT.withName("qkey_viol_cntr"),
            JAVA_SHORT.withName("pkey_tbl_len"),
            JAVA_SHORT.withName("lid"),
            JAVA_SHORT.withName("sm_lid"),
            JAVA_BYTE.withName("lmc"),
            JAVA_BYTE.withName("max_vl_num"),
            JAVA_BYTE.withName("sm_sl"),
            JAVA_BYTE.withName("subnet_timeout"),
            JAVA_BYTE.withName("init_type_reply"),
            JAVA_BYTE.withName("active_width"),
            JAVA_BYTE.withName("active_speed"),
            JAVA_BYTE.withName("phys_state"),
            JAVA_BYTE.withName("link_layer"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("port_cap_flags2"),
            MemoryLayout.paddingLayout(2))
            .withName("ibv_port_attr");

    static final VarHandle PORT_STATE = handle(IBV_PORT_ATTR, "state");
    static final VarHandle PORT_ACTIVE_MTU = handle(IBV_PORT_ATTR, "active_mtu");
    static final VarHandle PORT_LINK_LAYER = handle(IBV_PORT_ATTR, "link_layer");

    static final StructLayout IBV_MR = MemoryLayout.structLayout(
            ADDRESS.withName("context"),
            ADDRESS.withName("pd"),
            ADDRESS.withName("addr"),
            JAVA_LONG.withName("length"),
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("lkey"),
            JAVA_INT.withName("rkey"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_mr");

    static final VarHandle MR_PD = handle(IBV_MR, "pd");
    static final VarHandle MR_ADDR = handle(IBV_MR, "addr");
    static final VarHandle MR_LENGTH = handle(IBV_MR, "length");
    static final VarHandle MR_LKEY = handle(IBV_MR, "lkey");

    static final StructLayout IBV_AH = MemoryLayout.structLayout(
            ADDRESS.withName("context"),
            ADDRESS.withName("pd"),
            JAVA_INT.withName("handle"),
            MemoryLayout.paddingLayout(4))
            .withName("ibv_ah");

    /** union ibv_gid: 16 raw bytes. */
    static final MemoryLayout IBV_GID = MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ibv_gid");

    // ---- helpers ----

    static long offsetOf(GroupLayout layout, String... path) {
        return layout.byteOffset(elements(path));
    }

    private static VarHandle handle(GroupLayout layout, String... path) {
        return layout.varHandle(elements(path));
    }

    private static StructLayout pointers(String name, String[] fields) {
        MemoryLayout[] members = new MemoryLayout[fields.length];
        for (int i = 0; i < fields.length; i++) {
            members[i] = ADDRESS.withName(fields[i]);
        }
        return MemoryLayout.structLayout(members).withName(name);
    }

    private static PathElement[] elements(String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return elements;
    }
}
