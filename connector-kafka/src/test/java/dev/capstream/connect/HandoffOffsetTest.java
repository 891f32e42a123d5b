package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.SplitReaders;
import dev.capstream.pipeline.PollGovernor;
import dev.capstream.pipeline.RecordKeying;
import dev.capstream.pipeline.RecordMode;
import dev.capstream.pipeline.RecordWiring;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.pipeline.StopSignal;
import dev.capstream.records.RecordDecoder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture loop hands the Connect task each record's source offset (the sequence of its last
 * frame, the kernel drops stamped on it) beside the value, so the task never reads it back: here
 * every handed-over offset is checked against what an independent decoder finds in the value.
 */
class HandoffOffsetTest {

    @TempDir
    Path dir;

    @Test
    void everyFrameRecordCarriesTheSequenceAndDropsItsValueHolds() throws Exception {
        List<Handoff.Item> items = captureBundledPcap(RecordMode.frames(), RecordKeying.FLOW);
        assertThat(items).hasSizeGreaterThan(100);
        RecordDecoder decoder = new RecordDecoder();
        for (int i = 0; i < items.size(); i++) {
            Handoff.Item item = items.get(i);
            RecordDecoder.Decoded decoded = decoder.decode(item.value());
            assertThat(item.lastSequence()).isEqualTo(decoded.frames().getFirst().sequence()).isEqualTo(i);
            assertThat(item.kernelDrops()).isEqualTo(decoded.kernelDropsTotal());
        }
    }

    @Test
    void everyBatchRecordCarriesItsLastFramesSequence() throws Exception {
        List<Handoff.Item> items = captureBundledPcap(RecordMode.batches(50, 1 << 20, 60_000), RecordKeying.SPLIT);
        assertThat(items).hasSizeGreaterThan(2);
        RecordDecoder decoder = new RecordDecoder();
        long expectedFirst = 0;
        for (Handoff.Item item : items) {
            RecordDecoder.Decoded decoded = decoder.decode(item.value());
            List<RecordDecoder.DecodedFrame> frames = decoded.frames();
            assertThat(decoded.firstSequence()).isEqualTo(expectedFirst);
            assertThat(item.frames()).isEqualTo(frames.size());
            assertThat(item.lastSequence()).isEqualTo(frames.getLast().sequence())
                    .isEqualTo(decoded.firstSequence() + frames.size() - 1);
            assertThat(item.kernelDrops()).isEqualTo(decoded.kernelDropsTotal());
            expectedFirst = item.lastSequence() + 1;
        }
    }

    private List<Handoff.Item> captureBundledPcap(RecordMode mode, RecordKeying keying) throws Exception {
        Path pcap = dir.resolve("frames.pcap");
        try (InputStream in = HandoffOffsetTest.class.getResourceAsStream("/demo/frames.pcap")) {
            Files.copy(Objects.requireNonNull(in, "demo/frames.pcap"), pcap);
        }
        SplitAccounting accounting = new SplitAccounting("file");
        Handoff handoff = new Handoff(1_000_000, 1L << 30, accounting);
        RecordWiring wiring = RecordWiring.create("hostA", mode, keying, null, "frames");
        try (SplitReader reader = SplitReaders.open(new SplitAddress.PcapFile(pcap))) {
            // A file is a bounded split: the loop ends at its end, on this thread.
            wiring.loop(reader, handoff, accounting, PollGovernor.defaults(), StopSignal.never()).run();
        }
        List<Handoff.Item> items = new ArrayList<>();
        List<Handoff.Item> taken;
        while (!(taken = handoff.take(10_000, 0)).isEmpty()) {
            items.addAll(taken);
        }
        assertThat(items.stream().mapToLong(Handoff.Item::frames).sum()).isEqualTo(accounting.snapshot().read());
        return items;
    }
}
