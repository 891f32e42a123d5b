package dev.capstream.sidecar.ops;

import java.io.UncheckedIOException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.capstream.pipeline.SplitAccounting;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Prometheus text exposition on {@code /metrics} and a liveness answer on {@code /health}, from
 * the same per-split accounting the stats and summary lines read. Scrapes never touch the capture
 * threads: they read volatile counters.
 */
public final class MetricsServer implements AutoCloseable {

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor;
    private final List<SplitAccounting> splits;
    private final Supplier<String> unhealthyReason;
    private final SpoolGauges spool;

    private MetricsServer(HttpServer server, java.util.concurrent.ExecutorService executor, List<SplitAccounting> splits,
            Supplier<String> unhealthyReason, SpoolGauges spool) {
        this.server = server;
        this.executor = executor;
        this.splits = splits;
        this.unhealthyReason = unhealthyReason;
        this.spool = spool;
    }

    public static MetricsServer start(String address, int port, List<SplitAccounting> splits,
            Supplier<String> unhealthyReason) {
        return start(address, port, splits, unhealthyReason, null);
    }

    /**
     * @param unhealthyReason null while healthy, otherwise why not (shown with HTTP 503)
     * @throws UncheckedIOException when the port cannot be opened, with a message saying what to change
     */
    public static MetricsServer start(String address, int port, List<SplitAccounting> splits,
            Supplier<String> unhealthyReason, SpoolGauges spool) {
        HttpServer server;
        InetSocketAddress where = new InetSocketAddress(address, port);
        if (where.isUnresolved()) {
            String why = "--metrics-address " + address
                    + ": no such host name or address; give an address of this host, e.g. 127.0.0.1 or 0.0.0.0";
            throw new UncheckedIOException(why, new IOException(why));
        }
        try {
            server = HttpServer.create(where, 16);
        } catch (BindException e) {
            String why = String.valueOf(e.getMessage());
            throw new UncheckedIOException(why.contains("in use")
                    ? "--metrics-port " + port + " on " + address + " is in use: choose another with "
                            + "--metrics-port, or 0 to turn the endpoint off"
                    : "--metrics-address " + address + " cannot be listened on (" + why + "): give an address of this"
                            + " host, e.g. 127.0.0.1 or 0.0.0.0", e);
        } catch (IOException e) {
            throw new UncheckedIOException("--metrics-address " + address + " --metrics-port " + port
                    + ": cannot open the metrics endpoint: " + e.getMessage(), e);
        }
        java.util.concurrent.ExecutorService executor = Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().daemon().name("metrics-http").unstarted(r));
        MetricsServer metrics = new MetricsServer(server, executor, splits, unhealthyReason, spool);
        server.createContext("/metrics", metrics::metrics);
        server.createContext("/health", metrics::health);
        server.setExecutor(executor);
        server.start();
        return metrics;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void health(HttpExchange exchange) throws IOException {
        String reason = unhealthyReason.get();
        respond(exchange, reason == null ? 200 : 503, reason == null ? "ok\n" : reason + "\n", "text/plain");
    }

    private void metrics(HttpExchange exchange) throws IOException {
        respond(exchange, 200, render(), "text/plain; version=0.0.4");
    }

    String render() {
        StringBuilder out = new StringBuilder(4096);
        List<SplitAccounting.Snapshot> snaps = splits.stream().map(SplitAccounting::snapshot).toList();
        counter(out, "capstream_frames_captured_total", "Frames read off the ring and handed to Kafka.", snaps,
                SplitAccounting.Snapshot::read);
        counter(out, "capstream_bytes_captured_total", "Captured bytes of those frames.", snaps,
                SplitAccounting.Snapshot::readBytes);
        counter(out, "capstream_frames_delivered_total", "Frames Kafka acknowledged.", snaps,
                SplitAccounting.Snapshot::delivered);
        counter(out, "capstream_frames_failed_total", "Frames the producer gave up on.", snaps,
                SplitAccounting.Snapshot::failed);
        gauge(out, "capstream_frames_in_flight", "Frames sent and not yet acknowledged or failed.", snaps,
                SplitAccounting.Snapshot::inFlight);
        counter(out, "capstream_kernel_frames_total", "Frames the kernel queued for the split (tp_packets).", snaps,
                SplitAccounting.Snapshot::kernelSeen);
        header(out, "capstream_frames_dropped_total", "Frames never read, by reason: ring_full, backpressure and"
                + " unread (left in the ring at stop) are the kernel's for the socket; reopen is the interface's count"
                + " of frames that arrived while no socket was open.", "counter");
        for (SplitAccounting.Snapshot s : snaps) {
            sample(out, "capstream_frames_dropped_total", s.split(), "reason", "ring_full", s.droppedRingFull());
            sample(out, "capstream_frames_dropped_total", s.split(), "reason", "backpressure", s.droppedBackpressure());
            sample(out, "capstream_frames_dropped_total", s.split(), "reason", "unread", s.droppedUnread());
            sample(out, "capstream_frames_dropped_total", s.split(), "reason", "reopen", s.droppedReopen());
            sample(out, "capstream_frames_dropped_total", s.split(), "reason", "spool_full", s.droppedSpoolFull());
        }
        counter(out, "capstream_frames_filtered_total", "Frames a user-space filter stage rejected (AF_XDP; an AF_PACKET"
                + " filter runs in the kernel, before frames are counted). Part of the kernel's count, not dropped.", snaps,
                SplitAccounting.Snapshot::filtered);
        gauge(out, "capstream_frames_in_ring", "Frames the kernel queued that capstream has not read yet (0 once stopped).",
                snaps, SplitAccounting.Snapshot::inRing);
        counter(out, "capstream_kernel_freezes_total", "Times the kernel froze the ring queue.", snaps,
                SplitAccounting.Snapshot::freezes);
        counter(out, "capstream_reopens_total", "Times the split's socket was reopened after its interface went away.",
                snaps, SplitAccounting.Snapshot::reopens);
        gauge(out, "capstream_backpressure", "1 while Kafka holds the split back from draining its ring.", snaps,
                s -> s.backpressured() ? 1 : 0);
        counter(out, "capstream_backpressure_episodes_total", "Times the split crossed the high-water mark.", snaps,
                SplitAccounting.Snapshot::saturations);
        gauge(out, "capstream_poll_timeout_milliseconds", "The split's current ring poll timeout.", snaps,
                SplitAccounting.Snapshot::pollTimeoutMillis);
        gauge(out, "capstream_frames_spooled", "Frames waiting in the on-disk spool.", snaps,
                SplitAccounting.Snapshot::spooled);
        if (spool != null) {
            spool.render(out);
        }
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, List<SplitAccounting.Snapshot> snaps,
            java.util.function.ToLongFunction<SplitAccounting.Snapshot> value) {
        header(out, name, help, "counter");
        snaps.forEach(s -> sample(out, name, s.split(), null, null, value.applyAsLong(s)));
    }

    private static void gauge(StringBuilder out, String name, String help, List<SplitAccounting.Snapshot> snaps,
            java.util.function.ToLongFunction<SplitAccounting.Snapshot> value) {
        header(out, name, help, "gauge");
        snaps.forEach(s -> sample(out, name, s.split(), null, null, value.applyAsLong(s)));
    }

    static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static void sample(StringBuilder out, String name, String split, String label, String labelValue, long v) {
        out.append(name).append("{split=\"").append(split.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        if (label != null) {
            out.append(',').append(label).append("=\"").append(labelValue).append('"');
        }
        out.append("} ").append(v).append('\n');
    }

    private static void respond(HttpExchange exchange, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
