package dev.capstream.pipeline;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitReader;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.EncodeBuffer;
import dev.capstream.records.WireFormat;
import java.nio.charset.StandardCharsets;

/**
 * One split's loop: poll a block, encode each frame, hand it to the sink, release the block. The
 * sidecar and the Connect task drive a split through this loop.
 *
 * <p>The sink's fullness is checked before each poll ({@link PollGovernor}). While it is saturated
 * the loop takes nothing off the ring, so the ring absorbs the burst and the kernel counts what it
 * cannot hold; drops that appear meanwhile are attributed to backpressure. The frame path
 * allocates nothing of its own: the cursor, the encoder and the output buffer are reused (the
 * sink copies the bytes out, as Kafka's producer requires, and a flow key is 8 fresh bytes).
 */
public final class CaptureLoop implements Runnable {

    private final SplitReader reader;
    private final CapturedFrameEncoder encoder;
    private final byte[] header;
    private final FrameSink sink;
    private final SplitAccounting accounting;
    private final PollGovernor governor;
    private final StopSignal stop;
    private final RecordKeying keying;
    private final byte[] splitKey;
    private final EncodeBuffer buffer = new EncodeBuffer(16 * 1024);
    private long sequence;
    private boolean heldBackSinceStats;

    public CaptureLoop(SplitReader reader, CapturedFrameEncoder encoder, WireFormat.Header framing,
            FrameSink sink, SplitAccounting accounting, PollGovernor governor, StopSignal stop) {
        this(reader, encoder, framing, sink, accounting, governor, stop, RecordKeying.NONE);
    }

    public CaptureLoop(SplitReader reader, CapturedFrameEncoder encoder, WireFormat.Header framing,
            FrameSink sink, SplitAccounting accounting, PollGovernor governor, StopSignal stop,
            RecordKeying keying) {
        this.reader = reader;
        this.encoder = encoder;
        this.header = headerBytes(framing);
        this.sink = sink;
        this.accounting = accounting;
        this.governor = governor;
        this.stop = stop;
        this.keying = keying;
        this.splitKey = reader.address().id().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void run() {
        try {
            while (!stop.isStopped()) {
                governor.observe(sink.fullness());
                accounting.updateGovernor(governor.saturated(), governor.pollTimeoutMillis(), governor.saturations());
                if (governor.saturated()) {
                    heldBackSinceStats = true;
                    sink.awaitDrain(governor.pollTimeoutMillis());
                    refreshKernelStats();
                    continue;
                }
                FrameCursor block = reader.poll(governor.pollTimeoutMillis());
                if (block == null) {
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
            accounting.updateGovernor(false, governor.pollTimeoutMillis(), governor.saturations());
        }
    }

    private void drain(FrameCursor block) {
        // One statistics read per block: the drop count stamped on the block's frames.
        long kernelDrops = refreshKernelStats().kernelDrops();
        int linkType = reader.linkType();
        while (block.next()) {
            if (!stop.claimFrame()) {
                return;
            }
            buffer.reset();
            buffer.writeBytes(header);
            encoder.encode(block, sequence++, kernelDrops, buffer);
            int captured = block.captureLength();
            byte[] key = switch (keying) {
                case FLOW -> longBytes(RecordKeying.flowHash(block, linkType));
                case SPLIT -> splitKey;
                case NONE -> null;
            };
            // Counted before the send, so a fast acknowledgement can never outrun it.
            accounting.countRead(1, captured);
            sink.send(accounting, block.timestampNanos(), key, buffer, 1, captured);
        }
    }

    private CaptureStats refreshKernelStats() {
        CaptureStats stats = reader.stats();
        accounting.updateKernel(stats, heldBackSinceStats || governor.saturated());
        heldBackSinceStats = false;
        return stats;
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
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
