package dev.capstream.capture.xdp;

import dev.capstream.capture.TimestampSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

class DescriptorCursorTest {

    private static final byte[] MAC = {2, 0, 0, 0, 0, 1};

    @Test
    void aStampInTheMetadataInFrontOfTheFrameIsItsHardwareTimestampAndIsClearedOnceRead() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment umem = arena.allocate(4 * 2048, 4096);
            DescriptorCursor c = new DescriptorCursor(umem, 4, 7, MAC, true);
            // Two frames where copy mode puts them (256 bytes into the chunk); the first one stamped.
            c.addrs[0] = 256;
            c.lengths[0] = 64;
            c.addrs[1] = 2048 + 256;
            c.lengths[1] = 64;
            umem.set(JAVA_LONG_UNALIGNED, 256 - 8, 1_700_000_000_123_456_789L);

            assertThat(c.takeStamps(2)).as("stamped frames").isEqualTo(1);
            c.reset(2, 42L);

            assertThat(c.next()).isTrue();
            assertThat(c.timestampNanos()).isEqualTo(1_700_000_000_123_456_789L);
            assertThat(c.timestampSource()).isEqualTo(TimestampSource.HARDWARE);
            assertThat(c.next()).isTrue();
            assertThat(c.timestampNanos()).as("not stamped: the batch's system clock").isEqualTo(42L);
            assertThat(c.timestampSource()).isEqualTo(TimestampSource.USER_SPACE);
            assertThat(umem.get(JAVA_LONG_UNALIGNED, 256 - 8)).as("cleared for the chunk's next frame").isZero();
        }
    }

    @Test
    void withoutMetadataEveryFrameHasTheBatchsSystemClock() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment umem = arena.allocate(2048, 4096);
            DescriptorCursor c = new DescriptorCursor(umem, 1, 7, MAC, false);
            c.addrs[0] = 256;
            c.lengths[0] = 64;
            umem.set(JAVA_LONG_UNALIGNED, 256 - 8, 99L);
            c.reset(1, 42L);
            assertThat(c.next()).isTrue();
            assertThat(c.stamps).isNull();
            assertThat(c.timestampNanos()).isEqualTo(42L);
            assertThat(c.timestampSource()).isEqualTo(TimestampSource.USER_SPACE);
        }
    }
}
