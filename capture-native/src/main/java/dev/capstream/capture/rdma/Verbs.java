package dev.capstream.capture.rdma;

import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The verbs the RDMA sniffer uses, one method per C verb, as a contract with two implementations:
 * {@link NativeVerbs} (libibverbs through FFM) and, in tests, {@code EmulatedVerbs} (a
 * deterministic in-process emulation of the same semantics, for machines without RDMA).
 *
 * <p>Objects are passed as the native pointers C passes ({@code ibv_pd *}, {@code ibv_cq *}, ...),
 * and attribute structs as native segments laid out as {@link VerbsLayouts} describes, so the
 * reader's struct building is the same whichever implementation runs.
 *
 * <p>Conventions follow C: verbs that return a pointer (or NULL and errno) throw a
 * {@link NativeCallException} naming the verb, the device and errno with a hint; the provider ops
 * that return an errno value or a count ({@code post_recv}, {@code poll_cq}, {@code req_notify_cq},
 * the {@code destroy_*} family) return it as C does, for the caller to check.
 */
interface Verbs {

    /**
     * {@code ibv_get_device_list}. The list must be {@linkplain DeviceList#close() freed}; devices
     * are opened while it is held (pointers to unopened devices are invalid after the free).
     *
     * @throws NativeCallException ENOSYS when the kernel has no RDMA
     */
    DeviceList getDeviceList();

    /** A held {@code ibv_get_device_list} result. */
    interface DeviceList extends AutoCloseable {

        /** The devices' names ({@code ibv_device.name}), in the library's order. */
        List<String> names();

        /**
         * {@code ibv_open_device} on the named device of this list.
         *
         * @param where what errors should name, e.g. {@code mlx5_0:1}
         */
        Context openDevice(String name, String where);

        /** {@code ibv_free_device_list}. */
        @Override
        void close();
    }

    /** The port attributes the reader needs from {@code ibv_query_port}. */
    record PortAttributes(int state, int activeMtu, int linkLayer) {}

    /** An open device: {@code struct ibv_context} and the verbs that take it (or objects made from it). */
    interface Context {

        /** The device's name, e.g. {@code mlx5_0}. */
        String deviceName();

        /** {@code ibv_query_port}. */
        PortAttributes queryPort(int port);

        /** {@code ibv_alloc_pd}. */
        MemorySegment allocPd();

        /** {@code ibv_create_comp_channel}. */
        MemorySegment createCompChannel();

        /** Makes the channel's fd non-blocking ({@code fcntl(fd, F_SETFL, O_NONBLOCK)}), so {@link #getCqEvent} never blocks. */
        void setNonBlocking(MemorySegment channel);

        /**
         * Waits up to {@code timeoutMillis} for the channel's fd to become readable ({@code poll(2)}).
         *
         * @return 1 when readable, 0 on timeout or EINTR
         */
        int pollChannel(MemorySegment channel, int timeoutMillis);

        /** {@code ibv_create_cq} attached to {@code channel}. */
        MemorySegment createCq(int cqe, MemorySegment channel, int compVector);

        /**
         * {@code ibv_create_cq_ex}, an extended CQ polled through its start/next/end ops.
         *
         * @throws NativeCallException EOPNOTSUPP when the provider cannot report {@code wcFlags}
         */
        ExtendedCq createCqEx(MemorySegment attr);

        /** {@code ibv_create_qp} with an {@code ibv_qp_init_attr}. */
        MemorySegment createQp(MemorySegment pd, MemorySegment initAttr);

        /** {@code ibv_modify_qp}; throws on failure (the verb returns an errno value). */
        void modifyQp(MemorySegment qp, MemorySegment attr, int attrMask);

        /** {@code ibv_reg_mr} over the whole segment. */
        MemorySegment regMr(MemorySegment pd, MemorySegment buffer, int access);

        /** {@code ibv_create_flow}, dispatched through the verbs_context. */
        MemorySegment createFlow(MemorySegment qp, MemorySegment flowAttr);

        /** {@code ibv_post_recv}: 0, or an errno value with {@code badWr} (an {@code ibv_recv_wr **}) set to the first WR not posted. */
        int postRecv(MemorySegment qp, MemorySegment wr, MemorySegment badWr);

        /** {@code ibv_post_send}: 0, or an errno value. */
        int postSend(MemorySegment qp, MemorySegment wr, MemorySegment badWr);

        /** {@code ibv_poll_cq}: the number of completions written to {@code wc}, or a negative number on failure. */
        int pollCq(MemorySegment cq, int entries, MemorySegment wc);

        /** {@code ibv_req_notify_cq}: 0, or an errno value. */
        int reqNotifyCq(MemorySegment cq, boolean solicitedOnly);

        /**
         * {@code ibv_get_cq_event} on a non-blocking channel.
         *
         * @return the CQ that had the event, or null when none was pending (EAGAIN)
         */
        MemorySegment getCqEvent(MemorySegment channel);

        /** {@code ibv_ack_cq_events}. */
        void ackCqEvents(MemorySegment cq, int events);

        /** {@code ibv_query_gid}: the port's GID at {@code index} (16 bytes). */
        MemorySegment queryGid(int port, int index);

        /** {@code ibv_create_ah} from an {@code ibv_ah_attr}. */
        MemorySegment createAh(MemorySegment pd, MemorySegment ahAttr);

        /** {@code ibv_destroy_ah}: 0 or an errno value. */
        int destroyAh(MemorySegment ah);

        /** {@code ibv_destroy_flow}: 0 or an errno value. */
        int destroyFlow(MemorySegment flow);

        /** {@code ibv_destroy_qp}: 0 or an errno value. */
        int destroyQp(MemorySegment qp);

        /** {@code ibv_dereg_mr}: 0 or an errno value. */
        int deregMr(MemorySegment mr);

        /** {@code ibv_destroy_cq}: 0 or an errno value. It waits for every event got to be acknowledged. */
        int destroyCq(MemorySegment cq);

        /** {@code ibv_destroy_comp_channel}: 0 or an errno value. */
        int destroyCompChannel(MemorySegment channel);

        /** {@code ibv_dealloc_pd}: 0 or an errno value. */
        int deallocPd(MemorySegment pd);

        /** {@code ibv_close_device}: 0 or an errno value. */
        int closeDevice();
    }

    /**
     * An {@code ibv_cq_ex}: its ops, bound once when the CQ is made. Between a successful
     * {@link #startPoll} and {@link #endPoll}, the current completion's fields are read here.
     */
    interface ExtendedCq {

        /** The CQ as an {@code ibv_cq *} (the ibv_cq_ex starts with one), for events, notify and destroy. */
        MemorySegment cq();

        /** {@code start_poll}: 0 with a current completion, ENOENT when empty, another errno value on failure. */
        int startPoll();

        /** {@code next_poll}: 0, ENOENT at the end, another errno value on failure. */
        int nextPoll();

        /** {@code end_poll}; only after a successful {@link #startPoll}. */
        void endPoll();

        /** The current completion's {@code wr_id} field. */
        long wrId();

        /** The current completion's {@code status} field. */
        int status();

        /** {@code read_byte_len}. */
        int readByteLen();

        /** {@code read_completion_wallclock_ns}: the hardware completion time in ns since the Unix epoch. */
        long readCompletionWallclockNs();
    }
}
