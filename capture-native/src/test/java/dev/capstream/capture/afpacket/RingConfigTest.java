package dev.capstream.capture.afpacket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RingConfigTest {

    @Test
    void defaultsAre64BlocksOf1MiBWith100MsTimeoutSoTheRingHoldsSixSecondsOfAQuietLink() {
        RingConfig d = RingConfig.defaults();
        assertThat(d.blockSize()).isEqualTo(1 << 20);
        assertThat(d.blockCount()).isEqualTo(64);
        assertThat(d.blockTimeoutMillis()).isEqualTo(100);
        assertThat(d.frameSize()).isEqualTo(2048);
        assertThat(d.totalBytes()).isEqualTo(64L << 20);
        assertThat(d.frameCount()).isEqualTo(64 * 512);
        assertThat(d.describe()).isEqualTo("64 MiB (64 blocks of 1 MiB)");
    }

    @Test
    void blockSizeMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> RingConfig.of(1_000_000, 4, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ring block size 1000000 bytes is not a power of two; try 1048576");
    }

    @Test
    void blockSizeMustBeAMultipleOfThePageSize() {
        assertThatThrownBy(() -> RingConfig.of(1024, 4, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a multiple of the page size");
    }

    @Test
    void blockCountMustBePositive() {
        assertThatThrownBy(() -> RingConfig.of(1 << 20, 0, 10))
                .hasMessage("ring block count 0 must be at least 1");
    }

    @Test
    void ringMustFitInFourGiB() {
        assertThatThrownBy(() -> RingConfig.of(1 << 30, 4, 10))
                .hasMessageContaining("4 GiB")
                .hasMessageContaining("lower the block size or count");
    }

    @Test
    void blockTimeoutMustFitTheKernelsShort() {
        assertThatThrownBy(() -> RingConfig.of(1 << 20, 4, 70_000)).hasMessageContaining("0 (kernel's choice) to 65535 ms");
        assertThatThrownBy(() -> RingConfig.of(1 << 20, 4, -1)).hasMessageContaining("out of range");
        assertThat(RingConfig.of(1 << 20, 4, 0).blockTimeoutMillis()).isZero();
    }

    @Test
    void frameSizeMustSatisfyTheKernel() {
        assertThatThrownBy(() -> new RingConfig(1 << 20, 4, 10, 64)).hasMessageContaining("frame size 64");
        assertThatThrownBy(() -> new RingConfig(1 << 20, 4, 10, 2050)).hasMessageContaining("multiple of 16");
        assertThatThrownBy(() -> new RingConfig(4096, 4, 10, 8192)).hasMessageContaining("to the block size");
    }
}
