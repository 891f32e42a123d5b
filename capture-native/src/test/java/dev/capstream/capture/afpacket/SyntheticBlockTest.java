package dev.capstream.capture.afpacket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.lab.TestFrames;
import java.lang.foreign.ValueLayout;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SyntheticBlockTest {

    @Test
    void framesOfDifferentSizesComeBackInOrderWithTheirBytesAndEachGetRewinds() {
        int[] sizes = {64, 1514, 99, 512};
        Supplier<FrameCursor> block = AfPacket.syntheticBlock(sizes.length, i -> TestFrames.udp(sizes[i], i));
        for (int round = 0; round < 2; round++) {
            FrameCursor cursor = block.get();
            assertThat(cursor.frameCount()).isEqualTo(sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                assertThat(cursor.next()).isTrue();
                assertThat(cursor.captureLength()).isEqualTo(sizes[i]);
                assertThat(cursor.wireLength()).isEqualTo(sizes[i]);
                assertThat(cursor.bytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(TestFrames.udp(sizes[i], i));
            }
            assertThat(cursor.next()).isFalse();
        }
    }

    @Test
    void anEmptyFrameIsRefusedWithItsIndex() {
        assertThatThrownBy(() -> AfPacket.syntheticBlock(2, i -> i == 1 ? new byte[0] : TestFrames.udp(64, i)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("synthetic frame 1 has 0 bytes");
    }
}
