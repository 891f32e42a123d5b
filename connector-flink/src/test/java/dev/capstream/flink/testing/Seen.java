package dev.capstream.flink.testing;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.lab.TestFrames;
import java.io.Serializable;

/**
 * What a test keeps of a captured frame.
 *
 * @param split the record's split id
 * @param testSequence the sequence number the test wrote into the frame, or -1 for other traffic
 * @param sequence the record's per-split sequence number
 * @param kernelDrops the record's kernel drop count
 * @param timestampMillis the capture time
 */
public record Seen(String split, long testSequence, long sequence, long kernelDrops, long timestampMillis)
        implements Serializable {

    public static Seen of(CapturedFrame frame) {
        return new Seen(frame.getSplit(), TestFrames.sequenceOf(frame.getData().array()), frame.getSequence(),
                frame.getKernelDrops(), frame.getTimestamp().toEpochMilli());
    }
}
