package dev.capstream.pipeline;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitReader;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.EncodeBuffer;
import dev.capstream.records.WireFormat;

/**
 * One split's loop: poll a block, encode each frame, hand it to the sink, release the block. The
 * sidecar, the Connect task and the Flink reader all drive a split through this loop.
 *
 * <p>The sink's fullness is checked before each poll ({@link PollGovernor}). While it is saturated
 * the loop takes nothing off the ring, so the ring absorbs the burst and the kernel counts what it
 * cannot hold. The frame path allocates nothing of its own: the cursor, the encoder and the output
 * buffer are reused (the sink may copy the bytes out, as Kafka's producer requires).
 *
 * <p>A bounded split ends the loop once its reader is {@link SplitReader#finished() finished}.
 */
public final class CaptureLoop implements Runnable {

    private final SplitReader reader;
    private final CapturedFrameEncoder encoder;
    private final byte[] header;
    private final FrameSink sink;
    private final SplitAccounting accounting;
    private final PollGovernor governor;
    private final StopSignal stop;
    private final EncodeBuffer buffer = new EncodeBuffer(16 * 1024);
    private long sequence;

    public CaptureLoop(SplitReader reader, CapturedFrameEncoder encoder, WireFormat.Header framing,
            FrameSink sink, SplitAccounting accounting, PollGovernor governor, StopSignal stop) {
        this.reader = reader;
        this.encoder = encoder;
        this.header = headerBytes(framing);
        this.sink = sink;
        this.accounting = accounting;
        this.governor = governor;
        this.stop = stop;
    }

    @Override
    public void run() {
        try {
            while (!stop.isStopped()) {
                governor.observe(sink.fullness());
                if (governor.saturated()) {
                    sink.awaitDrain(governor.pollTimeoutMillis());
                    refreshKernelStats();
                    continue;
                }
                FrameCursor block = reader.poll(governor.pollTimeoutMillis());
                if (block == null) {
                    if (reader.finished()) {
                        return; // a bounded split (a file) was read to its end
                    }
                    refreshKernelStats();
                    continue;
                }
                try {
                    drain(block);
                } finally {
                    reader.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            stop.fail(e);
        } finally {
            refreshKernelStats();
        }
    }

    private void drain(FrameCursor block) {
        // One statistics read per block: the drop count stamped on the block's frames.
        long kernelDrops = refreshKernelStats().kernelDrops();
        while (block.next()) {
            if (!stop.claimFrame()) {
                return;
            }
            buffer.reset();
            buffer.writeBytes(header);
            // The reader names each frame's interface (a pcapng file may have several).
            encoder.encode(block, reader, sequence++, kernelDrops, buffer);
            int captured = block.captureLength();
            // Counted before the send, so a fast acknowledgement can never outrun it.
            accounting.countRead(1, captured);
            sink.send(accounting, block.timestampNanos(), buffer, 1, captured);
        }
    }

    private CaptureStats refreshKernelStats() {
        CaptureStats stats = reader.stats();
        accounting.updateKernel(stats);
        return stats;
    }

    /** The framing prefix is the same for every record of a run: render it once. */
    private static byte[] headerBytes(WireFormat.Header framing) {
        EncodeBuffer out = new EncodeBuffer(16);
        switch (framing) {
            case WireFormat.Confluent c -> WireFormat.writeConfluentHeader(c.schemaId(), out);
            case WireFormat.SingleObject s -> WireFormat.writeSingleObjectHeader(s.fingerprint(), out);
        }
        return out.toByteArray();
    }

    /** The next sequence number this split will stamp (= frames read so far). */
    public long nextSequence() {
        return sequence;
    }
}
