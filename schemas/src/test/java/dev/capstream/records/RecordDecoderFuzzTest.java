package dev.capstream.records;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any record value given to the decoders ends in a decoded record or a {@link MalformedRecordException}:
 * no other exception and no allocation the value's size does not justify. Regression mode replays
 * the seeds in {@code RecordDecoderFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes for a bounded time.
 */
class RecordDecoderFuzzTest {

    private static final RecordDecoder RECORDS = new RecordDecoder();
    private static final FrameDecoder FRAMES = new FrameDecoder();

    @FuzzTest(maxDuration = "25s")
    void anyValueDecodesOrIsMalformed(byte[] value) {
        try {
            RECORDS.decode(value);
        } catch (MalformedRecordException expected) {
            // the value is at fault, and the message says how
        }
        try {
            FRAMES.decode(value);
        } catch (MalformedRecordException expected) {
            // likewise
        }
    }
}
