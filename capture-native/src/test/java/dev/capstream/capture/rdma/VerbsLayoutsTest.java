package dev.capstream.capture.rdma;

import java.lang.foreign.GroupLayout;

import org.junit.jupiter.api.Test;

import static dev.capstream.capture.rdma.VerbsLayouts.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every struct's size and field offsets as gcc's sizeof/offsetof reported them for rdma-core 44's
 * {@code <infiniband/verbs.h>} on x86_64 (the values of ../shared/rdma.md, re-checked with a C probe).
 */
class VerbsLayoutsTest {

    private static void assertOffsets(GroupLayout layout, long size, Object... fieldOffsetPairs) {
        assertThat(layout.byteSize()).as(layout.name().orElseThrow() + " size").isEqualTo(size);
        for (int i = 0; i < fieldOffsetPairs.length; i += 2) {
            String[] path = ((String) fieldOffsetPairs[i]).split("\\.");
            long expected = ((Number) fieldOffsetPairs[i + 1]).longValue();
            assertThat(offsetOf(layout, path)).as(layout.name().orElseThrow() + "." + fieldOffsetPairs[i]).isEqualTo(expected);
        }
    }

    @Test
    void ibvDevice() {
        assertOffsets(IBV_DEVICE, 664, "node_type", 16, "transport_type", 20, "name", 24, "dev_name", 88,
                "dev_path", 152, "ibdev_path", 408);
    }

    @Test
    void ibvContextAndItsOpsTable() {
        assertOffsets(IBV_CONTEXT, 328, "device", 0, "ops", 8, "ops._compat_query_port", 16, "ops.poll_cq", 96,
                "ops.req_notify_cq", 104, "ops.post_send", 208, "ops.post_recv", 216, "cmd_fd", 264, "async_fd", 268,
                "num_comp_vectors", 272, "mutex", 280, "abi_compat", 320);
        assertThat(IBV_CONTEXT_OPS.byteSize()).isEqualTo(256);
        assertThat(CTX_POLL_CQ).isEqualTo(96);
        assertThat(CTX_REQ_NOTIFY_CQ).isEqualTo(104);
        assertThat(CTX_POST_SEND).isEqualTo(208);
        assertThat(CTX_POST_RECV).isEqualTo(216);
        assertThat(CTX_ABI_COMPAT).isEqualTo(320);
    }

    @Test
    void verbsContextSitsBeforeTheContext() {
        assertOffsets(VERBS_CONTEXT, 648, "ops.query_port", 0, "ops.create_cq_ex", 200, "ops.query_device_ex", 216,
                "ops.ibv_destroy_flow", 224, "ops.ibv_create_flow", 240, "ops.create_qp_ex", 264, "sz", 312,
                "context", 320);
        // Relative to the ibv_context, as the binding reads them.
        assertThat(VCTX_CREATE_FLOW - VCTX_CONTEXT).isEqualTo(-80);
        assertThat(VCTX_DESTROY_FLOW - VCTX_CONTEXT).isEqualTo(-96);
        assertThat(VCTX_CREATE_CQ_EX - VCTX_CONTEXT).isEqualTo(-120);
        assertThat(VCTX_SZ - VCTX_CONTEXT).isEqualTo(-8);
    }

    @Test
    void smallObjects() {
        assertOffsets(IBV_PD, 16, "context", 0, "handle", 8);
        assertOffsets(IBV_COMP_CHANNEL, 16, "context", 0, "fd", 8, "refcnt", 12);
        assertOffsets(IBV_CQ, 128, "context", 0, "channel", 8, "cq_context", 16, "handle", 24, "cqe", 28,
                "mutex", 32, "cond", 72, "comp_events_completed", 120);
        assertOffsets(IBV_QP, 160, "context", 0, "qp_context", 8, "pd", 16, "send_cq", 24, "recv_cq", 32,
                "srq", 40, "handle", 48, "qp_num", 52, "state", 56, "qp_type", 60);
        assertOffsets(IBV_MR, 48, "context", 0, "pd", 8, "addr", 16, "length", 24, "handle", 32, "lkey", 36,
                "rkey", 40);
        assertOffsets(IBV_FLOW, 24, "comp_mask", 0, "context", 8, "handle", 16);
        assertOffsets(IBV_AH, 24, "context", 0, "pd", 8, "handle", 16);
        assertThat(IBV_GID.byteSize()).isEqualTo(16);
    }

    @Test
    void workRequestsAndCompletions() {
        assertOffsets(IBV_SGE, 16, "addr", 0, "length", 8, "lkey", 12);
        assertOffsets(IBV_RECV_WR, 32, "wr_id", 0, "next", 8, "sg_list", 16, "num_sge", 24);
        assertOffsets(IBV_SEND_WR, 128, "wr_id", 0, "next", 8, "sg_list", 16, "num_sge", 24, "opcode", 28,
                "send_flags", 32, "imm_data", 36, "wr.ud.ah", 40, "wr.ud.remote_qpn", 48, "wr.ud.remote_qkey", 52,
                "qp_type", 72, "bind_mw", 80);
        assertOffsets(IBV_WC, 48, "wr_id", 0, "status", 8, "opcode", 12, "vendor_err", 16, "byte_len", 20,
                "imm_data", 24, "qp_num", 28, "src_qp", 32, "wc_flags", 36, "pkey_index", 40, "slid", 42, "sl", 44,
                "dlid_path_bits", 45);
    }

    @Test
    void queuePairAttributes() {
        assertOffsets(IBV_QP_CAP, 20, "max_send_wr", 0, "max_recv_wr", 4, "max_send_sge", 8, "max_recv_sge", 12,
                "max_inline_data", 16);
        assertThat(IBV_QP_CAP.byteAlignment()).isEqualTo(4);
        assertOffsets(IBV_QP_INIT_ATTR, 64, "qp_context", 0, "send_cq", 8, "recv_cq", 16, "srq", 24, "cap", 32,
                "qp_type", 52, "sq_sig_all", 56);
        assertOffsets(IBV_GLOBAL_ROUTE, 24, "dgid", 0, "flow_label", 16, "sgid_index", 20, "hop_limit", 21,
                "traffic_class", 22);
        assertOffsets(IBV_AH_ATTR, 32, "grh", 0, "dlid", 24, "sl", 26, "src_path_bits", 27, "static_rate", 28,
                "is_global", 29, "port_num", 30);
        assertOffsets(IBV_QP_ATTR, 144, "qp_state", 0, "cur_qp_state", 4, "path_mtu", 8, "qkey", 16, "rq_psn", 20,
                "sq_psn", 24, "dest_qp_num", 28, "cap", 36, "ah_attr", 56, "alt_ah_attr", 88, "pkey_index", 120,
                "port_num", 129, "rate_limit", 136);
    }

    @Test
    void flowsPortsAndExtendedCqs() {
        assertOffsets(IBV_FLOW_ATTR, 20, "comp_mask", 0, "type", 4, "size", 8, "priority", 10, "num_of_specs", 12,
                "port", 13, "flags", 16);
        assertThat(IBV_FLOW_ATTR.byteAlignment()).isEqualTo(4);
        assertOffsets(IBV_PORT_ATTR, 52, "state", 0, "max_mtu", 4, "active_mtu", 8, "gid_tbl_len", 12,
                "port_cap_flags", 16, "max_msg_sz", 20, "lid", 34, "active_width", 43, "active_speed", 44,
                "phys_state", 45, "link_layer", 46, "flags", 47, "port_cap_flags2", 48);
        assertThat(IBV_PORT_ATTR.byteAlignment()).isEqualTo(4);
        assertOffsets(IBV_CQ_INIT_ATTR_EX, 56, "cqe", 0, "cq_context", 8, "channel", 16, "comp_vector", 24,
                "wc_flags", 32, "comp_mask", 40, "flags", 44, "parent_domain", 48);
        assertOffsets(IBV_CQ_EX, 288, "comp_events_completed", 120, "status", 132, "wr_id", 136, "start_poll", 144,
                "next_poll", 152, "end_poll", 160, "read_opcode", 168, "read_byte_len", 184, "read_completion_ts", 248,
                "read_completion_wallclock_ns", 280);
        assertOffsets(IBV_POLL_CQ_ATTR, 4, "comp_mask", 0);
    }

    @Test
    void constantsMatchTheHeader() {
        assertThat(IBV_QPT_RAW_PACKET).isEqualTo(8);
        assertThat(IBV_QPT_UD).isEqualTo(4);
        assertThat(IBV_FLOW_ATTR_SNIFFER).isEqualTo(3);
        assertThat(IBV_WC_EX_WITH_COMPLETION_TIMESTAMP).isEqualTo(0x80);
        assertThat(IBV_WC_EX_WITH_COMPLETION_TIMESTAMP_WALLCLOCK).isEqualTo(1 << 11);
        assertThat(IBV_QP_SQ_PSN).isEqualTo(65536);
        assertThat(IBV_WC_RECV).isEqualTo(128);
    }
}
