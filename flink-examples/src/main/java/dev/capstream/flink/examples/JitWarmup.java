package dev.capstream.flink.examples;

import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.source.CaptureSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Compiles the live job's per-frame path before it is measured, on the one CPU the harness gives a
 * reader (the sidecar's bench-capture warms up before {@code ready} for the same reason). Two
 * bounded jobs of their own in this JVM, each the live job's pipeline (capture source -> counting
 * filter -> discarding sink):
 * <ol>
 * <li>a pcapng file of frames of the measured size: conversion, fetch hand-off, emission, the chained
 * copy and the filter;</li>
 * <li>a live ring on loopback, filtered in the kernel to UDP datagrams this JVM sends itself (bounded
 * in count and time): the AF_PACKET ring walk, the fetcher's poll and wake-ups. Without it the JIT met
 * the ring's cursor only after {@code ready}: the file's cursor had made the shared call sites
 * monomorphic, so they were deoptimised and recompiled inside the measured window
 * (bench/results/flink-live-20261203/profile.md).</li>
 * </ol>
 * Loopback is every host's own and needs no interface of the user's; the filter keeps other programs'
 * loopback traffic out of the warm-up.
 */
final class JitWarmup {

    /** UDP, IPv4 and Ethernet headers: a datagram of {@code frameBytes - 42} bytes is a frame of frameBytes on lo. */
    private static final int HEADERS = 14 + 20 + 8;

    /** The ring warm-up's bound: whatever it has captured by then is enough of a warm-up to go on with. */
    private static final Duration RING_LIMIT = Duration.ofSeconds(20);

    private JitWarmup() {
    }

    static void run(Configuration conf, int frames, int frameBytes, FrameDeserializer<?> records) throws Exception {
        if (frames <= 0) {
            return;
        }
        Path file = Files.createTempFile("capstream-flink-warmup-", ".pcapng");
        try {
            write(file, frames, frameBytes);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            CaptureThroughputJob.discard(env, CaptureSource.builder().pcapFiles(file).build(records), "warm-up");
            env.execute("capstream benchmark warm-up");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Sends {@code datagrams} UDP datagrams to this JVM over loopback while the live pipeline captures
     * them on {@code lo} ({@code parallelism} fanout members, as the measured job), then cancels that
     * job. Each datagram is captured twice (lo's outgoing and incoming frame).
     *
     * @return the frames the warm-up job counted: {@code 2 * datagrams} unless it hit its time bound
     */
    static long ring(Configuration conf, int datagrams, int frameBytes, int parallelism, FrameDeserializer<?> records)
            throws Exception {
        if (datagrams <= 0) {
            return 0;
        }
        long before = CaptureThroughputJob.RECORDS.sum();
        long deadline = System.nanoTime() + RING_LIMIT.toNanos();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            channel.connect(channel.getLocalAddress());     // to itself: it drains what it sends
            channel.configureBlocking(false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            CaptureThroughputJob.discard(env, CaptureSource.builder().interfaces("lo").fanoutMembers(parallelism)
                    .set(CaptureSettings.FILTER, "udp and port " + port).build(records), "ring warm-up");
            JobClient client = env.executeAsync("capstream benchmark ring warm-up");
            try {
                CaptureThroughputJob.waitRunning(client);
                CaptureThroughputJob.waitBound(client, new String[] {"lo"}, parallelism);
                send(channel, datagrams, Math.max(0, frameBytes - HEADERS), deadline);
                while (CaptureThroughputJob.RECORDS.sum() - before < 2L * datagrams && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } finally {
                cancel(client);
            }
        }
        return CaptureThroughputJob.RECORDS.sum() - before;
    }

    /**
     * Cancels the warm-up job and waits for its end (the local MiniCluster goes with it), so its
     * sockets are closed before the measured job opens its own.
     */
    private static void cancel(JobClient client) throws Exception {
        client.cancel().get();
        try {
            client.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException cancelled) {
            // the expected end of a cancelled job
        }
    }

    private static void send(DatagramChannel channel, int datagrams, int payload, long deadline) throws IOException {
        ByteBuffer out = ByteBuffer.allocateDirect(payload);
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(1, payload));
        for (int i = 0; i < datagrams && (i % 1024 != 0 || System.nanoTime() < deadline); i++) {
            out.clear();
            channel.write(out);
            in.clear();
            channel.read(in);
        }
    }

    private static void write(Path file, int frames, int frameBytes) throws IOException {
        byte[] frame = new byte[frameBytes];
        frame[12] = 0x08;   // EtherType IPv4, as the generator's frames
        try (PcapNgWriter writer = PcapNgWriter.create(file)) {
            int ifc = writer.addInterface("warmup0", 1, 65535);
            long t = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < frames; i++) {
                writer.writePacket(ifc, t + i, frameBytes, 0, frame);
            }
        }
    }
}
