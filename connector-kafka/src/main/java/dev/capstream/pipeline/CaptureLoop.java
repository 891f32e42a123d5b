package dev.capstream.pipeline;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitReader;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.EncodeBuffer;
import dev.capstream.records.FrameBatchEncoder;
import dev.capstream.records.WireFormat;
import dev.capstream.spool.SplitSpool;
import dev.capstream.spool.SpooledRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One split's loop: poll a block, turn its frames into records (one per frame, or batches), hand
 * them to the sink, release the block. The sidecar and the Connect task drive a split through
 * this loop.
 *
 * <p>The sink's fullness is checked before each poll ({@link PollGovernor}). While it is saturated,
 * or refuses a record outright (Kafka unreachable), the loop takes nothing more off the ring and
 * keeps the block it holds, so the ring absorbs the burst or the outage and the kernel counts what
 * it cannot hold; drops that appear meanwhile are attributed to backpressure. The frame path
 * allocates nothing of its own: the cursor, the encoders and the output buffer are reused (the
 * sink copies the bytes out, as Kafka's producer requires, and a flow key is 8 fresh bytes).
 *
 * <p>With a {@link SplitSpool}, a saturated or refusing sink does not hold the ring: the loop goes on
 * draining it into the spool, and sends the spool, oldest record first, once the sink is below its
 * low-water mark again. While the spool holds records, new ones go behind them, so a split's
 * records reach the sink in capture order. The spool keeps the encoded bytes: nothing is encoded
 * twice. A record the spool has no room for is dropped and counted ({@code dropped_spool_full});
 * capture goes on. A ring block is released only after its records are in the spool file.
 *
 * <p>A bounded split ends the loop once its reader is {@link SplitReader#finished() finished}.
 */
public final class CaptureLoop implements Runnable {

    /** Time a drain may wait for the sink ({@link FrameSink#waitedNanos()}) before its drops count as backpressure. */
    private static final long SLOW_SINK_NANOS = 50_000_000L;
    /** How long one turn may send from the spool before the loop looks at its ring again. */
    private static final long SPOOL_SLICE_NANOS = 20_000_000L;
    /** After the sink refused a record, the spool is offered to it again this much later. */
    private static final long SPOOL_RETRY_NANOS = 1_000_000_000L;
    private static final long SPOOL_RETRY_MAX_NANOS = 8_000_000_000L;

    private final SplitReader reader;
    private final CapturedFrameEncoder frameEncoder;
    private final byte[] header;
    private final FrameSink sink;
    private final SplitAccounting accounting;
    private final PollGovernor governor;
    private final StopSignal stop;
    private final RecordKeying keying;
    private final RecordMode mode;
    private final FrameBatchEncoder batch;
    private final byte[] splitKey;
    private final EncodeBuffer buffer = new EncodeBuffer(16 * 1024);
    private long sequence;
    private boolean heldBackSinceStats;
    private long blockDrops;
    private long dropsAtLastRecord;
    private long batchStartNanos;

    // The record in `buffer`: offered to the sink, and kept while the sink refuses it.
    private boolean refused;
    private long pendingTimestamp;
    private int pendingFrames;
    private long pendingBytes;
    private byte[] pendingKey;
    private long pendingLastSequence;
    private long pendingDrops;

    private final SplitSpool spool;
    private long sinkRetryAtNanos;
    private long sinkRetryBackoffNanos = SPOOL_RETRY_NANOS;
    private long spoolWrittenFrames;
    private long spoolWrittenBytes;
    private long spoolLostFrames;

    public CaptureLoop(SplitReader reader, CapturedFrameEncoder encoder, WireFormat.Header framing,
            FrameSink sink, SplitAccounting accounting, PollGovernor governor, StopSignal stop) {
        this(reader, encoder, framing, sink, accounting, governor, stop, RecordKeying.NONE, RecordMode.frames(), null);
    }

    /**
     * @param batch the split's batch encoder when {@code mode} is batch (null otherwise); its
     *     framing header is {@code framing} as well
     */
    public CaptureLoop(SplitReader reader, CapturedFrameEncoder encoder, WireFormat.Header framing,
            FrameSink sink, SplitAccounting accounting, PollGovernor governor, StopSignal stop,
            RecordKeying keying, RecordMode mode, FrameBatchEncoder batch) {
        this(reader, encoder, framing, sink, accounting, governor, stop, keying, mode, batch, null);
    }

    /** @param spool where records go while the sink cannot take them; null to hold the ring instead */
    public CaptureLoop(SplitReader reader, CapturedFrameEncoder encoder, WireFormat.Header framing,
            FrameSink sink, SplitAccounting accounting, PollGovernor governor, StopSignal stop,
            RecordKeying keying, RecordMode mode, FrameBatchEncoder batch, SplitSpool spool) {
        if (mode.batched() && batch == null) {
            throw new IllegalArgumentException("batch mode needs a FrameBatchEncoder");
        }
        this.reader = reader;
        this.frameEncoder = encoder;
        this.header = headerBytes(framing);
        this.sink = sink;
        this.accounting = accounting;
        this.governor = governor;
        this.stop = stop;
        this.keying = keying;
        this.mode = mode;
        this.batch = mode.batched() ? batch : null;
        this.splitKey = reader.address().id().getBytes(StandardCharsets.UTF_8);
        this.spool = spool;
        this.sinkRetryAtNanos = System.nanoTime();
        if (spool != null) {
            accounting.countRecovered(spool.frames());
        }
    }

    @Override
    public void run() {
        FrameCursor block = null;
        try {
            while (!stop.isStopped()) {
                if (spool != null) {
                    sendFromSpool();
                }
                governor.observe(refused ? 1.0 : sink.fullness());
                accounting.updateGovernor(governor.saturated(), governor.pollTimeoutMillis(), governor.saturations());
                if (governor.saturated() && spool == null) {
                    heldBackSinceStats = true;
                    sink.awaitDrain(governor.lowWater(), governor.pollTimeoutMillis());
                    refreshKernelStats();
                    if (!refused) {
                        continue;
                    }
                }
                if (refused && !offer()) {
                    continue;
                }
                if (lingerExpired() && !finishBatch()) {
                    continue;
                }
                if (block == null) {
                    block = reader.poll(nextWaitMillis());
                    if (block == null) {
                        if (reader.finished()) {
                            return; // a bounded split (a file) was read to its end
                        }
                        refreshKernelStats();
                        continue;
                    }
                    blockDrops = refreshKernelStats().kernelDrops();
                }
                long sinkWaitBefore = sink.waitedNanos();
                boolean drained = drain(block);
                if (sink.waitedNanos() - sinkWaitBefore > SLOW_SINK_NANOS) {
                    // The sink made this drain wait (send() waiting for metadata or buffer space):
                    // drops meanwhile are its doing. A drain slow for any other reason (its CPU
                    // taken by other work, a GC pause) is the loop not keeping up: those drops
                    // stay ring_full, so dropped_backpressure means what the README says.
                    heldBackSinceStats = true;
                }
                if (drained) {
                    flushSpool();
                    reader.release();
                    block = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            stop.fail(new UncheckedIOException("reading the spool: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            stop.fail(e);
        } finally {
            if (block != null) {
                // Left at stop: these frames count as unread, never as sent.
                reader.release();
            }
            flushAtEnd();
            flushSpool();
            refreshKernelStats();
            accounting.markStopped();
            accounting.updateGovernor(false, governor.pollTimeoutMillis(), governor.saturations());
        }
    }

    /**
     * Turns the rest of the block into records. Returns false when the sink refused a record: the
     * block stays held (its frames are the ring's, not released to the kernel) and the record is
     * kept to be offered again, so a Kafka outage backs up into the ring instead of losing frames.
     */
    private boolean drain(FrameCursor block) {
        while (block.next()) {
            if (!stop.claimFrame()) {
                return true;
            }
            if (batch == null) {
                buffer.reset();
                buffer.writeBytes(header);
                // The drop count read when the block was taken is stamped on its frames; the
                // reader names each frame's interface (a pcapng file may have several).
                pendingLastSequence = sequence;
                pendingDrops = blockDrops;
                frameEncoder.encode(block, reader, sequence++, blockDrops, buffer);
                pendingTimestamp = block.timestampNanos();
                pendingFrames = 1;
                pendingBytes = block.captureLength();
                pendingKey = switch (keying) {
                    case FLOW -> longBytes(RecordKeying.flowHash(block, reader.linkType(block.interfaceIndex())));
                    case SPLIT -> splitKey;
                    case NONE -> null;
                };
                if (!offer()) {
                    return false;
                }
            } else {
                if (batch.frameCount() == 0) {
                    batchStartNanos = System.nanoTime();
                    pendingTimestamp = block.timestampNanos();
                    pendingBytes = 0;
                }
                batch.add(block, reader);
                sequence++;
                pendingBytes += block.captureLength();
                if ((batch.frameCount() >= mode.maxFrames() || batch.pendingBytes() >= mode.maxBytes())
                        && !finishBatch()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Closes the batch being built into one record and offers it; false when the sink refused it. */
    private boolean finishBatch() {
        if (batch == null || batch.frameCount() == 0) {
            return true;
        }
        pendingFrames = batch.frameCount();
        buffer.reset();
        buffer.writeBytes(header);
        batch.finish(blockDrops - dropsAtLastRecord, blockDrops, buffer);
        pendingLastSequence = sequence - 1;
        pendingDrops = blockDrops;
        dropsAtLastRecord = blockDrops;
        pendingKey = keying == RecordKeying.SPLIT ? splitKey : null;
        return offer();
    }

    private boolean offer() {
        if (spool != null && spooling()) {
            return toSpool();
        }
        // Counted once the sink took the record, so the count never has to be taken back (a
        // counter must not run backwards); the snapshot covers an acknowledgement that came first.
        if (sink.send(accounting, pendingTimestamp, pendingKey, buffer, pendingFrames, pendingBytes,
                pendingLastSequence, pendingDrops)) {
            accounting.countRead(pendingFrames, pendingBytes);
            refused = false;
            return true;
        }
        if (spool != null) {
            backOff();
            return toSpool();
        }
        refused = true;
        return false;
    }

    /**
     * The sink refused: offer it the spool again later, each refusal in a row doubling the wait up
     * to {@link #SPOOL_RETRY_MAX_NANOS}. A refusal costs a send blocked for max.block.ms, which the
     * ring must cover; an absent Kafka is asked less and less often.
     */
    private void backOff() {
        sinkRetryAtNanos = System.nanoTime() + sinkRetryBackoffNanos;
        sinkRetryBackoffNanos = Math.min(SPOOL_RETRY_MAX_NANOS, sinkRetryBackoffNanos * 2);
    }

    /** New records go to the spool while it holds older ones, or while the sink is full or refusing. */
    private boolean spooling() {
        return !spool.isEmpty() || governor.saturated() || System.nanoTime() - sinkRetryAtNanos < 0;
    }

    /**
     * The pending record into the spool's buffer; when it has no room, its frames are dropped and
     * counted. Buffered frames are counted once written ({@link #flushSpool}).
     */
    private boolean toSpool() {
        if (!spool.append(pendingTimestamp, pendingKey, buffer, pendingFrames, pendingBytes)) {
            accounting.countSpoolFull(pendingFrames);
        }
        refused = false;
        return true;
    }

    /**
     * Writes the spool's buffer to its file, before the ring block its records came from goes back
     * to the kernel, and counts what was written as read and spooled, what the disk refused as
     * dropped_spool_full.
     */
    private void flushSpool() {
        if (spool == null) {
            return;
        }
        spool.flush();
        long written = spool.committedFrames() - spoolWrittenFrames;
        long lost = spool.lostFrames() - spoolLostFrames;
        if (written > 0) {
            accounting.countRead(written, spool.committedFrameBytes() - spoolWrittenBytes);
            accounting.countSpooled(written);
        }
        if (lost > 0) {
            accounting.countSpoolFull(lost);
        }
        spoolWrittenFrames = spool.committedFrames();
        spoolWrittenBytes = spool.committedFrameBytes();
        spoolLostFrames = spool.lostFrames();
    }

    /**
     * Sends spooled records, oldest first, while the sink is below its high-water mark, for one
     * slice of time; the ring gets its turn in between. A refusal ends the turn and the next try
     * waits {@link #SPOOL_RETRY_NANOS}, so an absent Kafka costs one blocked send a second.
     */
    private void sendFromSpool() throws IOException {
        flushSpool();
        spool.maintain();
        if (spool.isEmpty() || governor.saturated() || System.nanoTime() - sinkRetryAtNanos < 0) {
            return;
        }
        long deadline = System.nanoTime() + SPOOL_SLICE_NANOS;
        for (int sent = 0; !spool.isEmpty() && !stop.isStopped(); sent++) {
            if ((sent & 31) == 0 && (System.nanoTime() - deadline > 0 || sink.fullness() >= governor.highWater())) {
                return;
            }
            long damaged = spool.damagedFrames();
            SpooledRecord r = spool.peek();
            if (spool.damagedFrames() != damaged) {
                accounting.countSpooled(-(spool.damagedFrames() - damaged));
                accounting.countFailed(spool.damagedFrames() - damaged, "spool segment damaged on disk");
            }
            if (r == null) {
                return;
            }
            // Out of the spool before the send, so a fast acknowledgement can never make in-flight negative.
            accounting.countSpooled(-r.frames());
            // The spool keeps no sequence or drop stamp beside the record: only the Kafka sink drains
            // a spool, and it reads neither (a Connect task, which would, has no spool).
            if (!sink.send(accounting, r.timestampNanos(), r.key(), r.value(), r.frames(), r.frameBytes(), -1, -1,
                    spool.ticket())) {
                accounting.countSpooled(r.frames());
                backOff();
                return;
            }
            sinkRetryBackoffNanos = SPOOL_RETRY_NANOS;
            spool.advance();
        }
    }

    private boolean lingerExpired() {
        return batch != null && !refused && batch.frameCount() > 0
                && System.nanoTime() - batchStartNanos >= mode.lingerNanos();
    }

    /**
     * The ring poll may not outlast a batch's linger, or a quiet link would hold it back; nor keep a
     * spool the sink could take from waiting.
     */
    private long nextWaitMillis() {
        if (spool != null && !spool.isEmpty() && !governor.saturated() && System.nanoTime() - sinkRetryAtNanos >= 0) {
            return 0;
        }
        long wait = governor.pollTimeoutMillis();
        if (batch != null && batch.frameCount() > 0) {
            long left = (mode.lingerNanos() - (System.nanoTime() - batchStartNanos)) / 1_000_000L;
            wait = Math.max(0, Math.min(wait, left));
        }
        return wait;
    }

    /**
     * At stop, a batch already taken off the ring is sent if the sink takes it; if it refuses,
     * those frames are counted as failed: they left the ring and will never reach Kafka.
     */
    private void flushAtEnd() {
        if (batch == null || (batch.frameCount() == 0 && !refused)) {
            return;
        }
        boolean taken = refused ? offer() : finishBatch();
        if (!taken) {
            accounting.countRead(pendingFrames, pendingBytes);
            accounting.countFailed(pendingFrames, "stopped while Kafka was refusing records");
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
