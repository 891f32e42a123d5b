package dev.capstream.sidecar.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DemoFramesTest {

    @Test
    void aFrameHasTheAskedSizeValidIpv4HeaderAndItsNumber() {
        for (int size : new int[] {DemoFrames.MIN_SIZE, 64, 1514}) {
            byte[] frame = DemoFrames.udp(size, 77);
            ByteBuffer b = ByteBuffer.wrap(frame);
            assertThat(frame).hasSize(size);
            assertThat(b.getShort(12)).isEqualTo((short) 0x0800);
            assertThat(b.getShort(16) & 0xFFFF).as("IPv4 total length").isEqualTo(size - 14);
            assertThat(b.getShort(38) & 0xFFFF).as("UDP length").isEqualTo(size - 34);
            assertThat(b.getLong(42)).isEqualTo(77);
            long sum = 0;
            for (int i = 14; i < 34; i += 2) {
                sum += b.getShort(i) & 0xFFFF;
            }
            while ((sum >>> 16) != 0) {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
            assertThat(sum).as("the header checksums to 0xFFFF").isEqualTo(0xFFFF);
        }
    }

    @Test
    void sizesOutsideAnEthernetFrameAreRefused() {
        assertThatThrownBy(() -> DemoFrames.udp(49, 0)).hasMessageContaining("need 50 to 1514");
        assertThatThrownBy(() -> DemoFrames.udp(1515, 0)).hasMessageContaining("need 50 to 1514");
    }
}
