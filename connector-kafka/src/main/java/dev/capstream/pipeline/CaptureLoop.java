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
 * <p>The sink's fullness is checked before each poll ({@link PollGovernor}). While it is saturated,
 * or refuses a record outright (Kafka unreachable), the loop takes nothing more off the ring and
 * keeps the block it holds, so the ring absorbs the burst or the outage and the kernel counts what
 * it cannot hold; drops that appear meanwhile are attributed to backpressure. The frame path
 * allocates nothing of its own: the cursor, the encoder and the output buffer are reused (the
 * sink copies the bytes out, as Kafka's producer requires, and a flow key is 8 fresh bytes).
 *
 * <p>A bounded split ends the loop once its reader is {@link SplitReader#finished() finished}.
 */
public final class CaptureLoop implements Runnable {

    private static final long SLOW_DRAIN_NANOS = 50_000_000L;

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
    private long blockDrops;
    // The record in `buffer` that the sink refused, kept to be offered again.
    private boolean refused;
    private long pendingTimestamp;
    private int pendingCaptured;
    private byte[] pendingKey;

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
        FrameCursor block = null;
        try {
            while (!stop.isStopped()) {
                governor.observe(refused ? 1.0 : sink.fullness());
                accounting.updateGovernor(governor.saturated(), governor.pollTimeoutMillis(), governor.saturations());
                if (governor.saturated()) {
                    heldBackSinceStats = true;
                    sink.awaitDrain(governor.pollTimeoutMillis());
                    refreshKernelStats();
                    if (!refused) {
                        continue;
                    }
                }
                if (refused && !offerRefusedRecord()) {
                    continue;
                }
                if (block == null) {
                    block = reader.poll(governor.pollTimeoutMillis());
                    if (block == null) {
                        if (reader.finished()) {
                            return; // a bounded split (a file) was read to its end
                        }
                        refreshKernelStats();
                        continue;
                    }
                    blockDrops = refreshKernelStats().kernelDrops();
                }
                long drainStart = System.nanoTime();
                boolean drained = drain(block);
                if (System.nanoTime() - drainStart > SLOW_DRAIN_NANOS) {
                    // Encoding a block takes a millisecond or two; a drain this slow was the sink
                    // blocking us (e.g. waiting for metadata), and drops meanwhile are its doing.
                    heldBackSinceStats = true;
                }
                if (drained) {
                    reader.release();
                    block = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            stop.fail(e);
        } finally {
            if (block != null) {
                // Left at stop: these frames count as unread, never as sent.
                reader.release();
            }
            refreshKernelStats();
            accounting.updateGovernor(false, governor.pollTimeoutMillis(), governor.saturations());
        }
    }

    /**
     * Sends the rest of the block. Returns false when the sink refused a record: the block stays
     * held (its frames are the ring's, not released to the kernel) and the record is kept to be
     * offered again, so a Kafka outage backs up into the ring instead of losing frames.
     */
    private boolean drain(FrameCursor block) {
        int linkType = reader.linkType();
        while (block.next()) {
            if (!stop.claimFrame()) {
                return true;
            }
            buffer.reset();
            buffer.writeBytes(header);
            // The drop count read when the block was taken is stamped on its frames; the reader
            // names each frame's interface (a pcapng file may have several).
            encoder.encode(block, reader, sequence++, blockDrops, buffer);
            pendingTimestamp = block.timestampNanos();
            pendingCaptured = block.captureLength();
            pendingKey = switch (keying) {
                case FLOW -> longBytes(RecordKeying.flowHash(block, linkType));
                case SPLIT -> splitKey;
                case NONE -> null;
            };
            if (!offer()) {
                refused = true;
                return false;
            }
        }
        return true;
    }

    private boolean offerRefusedRecord() {
        refused = !offer();
        return !refused;
    }

    private boolean offer() {
        // Counted before the send, so a fast acknowledgement can never outrun it; taken back if refused.
        accounting.countRead(1, pendingCaptured);
        if (sink.send(accounting, pendingTimestamp, pendingKey, buffer, 1, pendingCaptured)) {
            return true;
        }
        accounting.countRead(-1, -pendingCaptured);
        return false;
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
