package dev.capstream.capture.lab;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestFramesTest {

    @Test
    void framesHaveExactlyTheAskedSize() {
        for (int size = TestFrames.MIN_SIZE; size <= TestFrames.MAX_SIZE; size += 37) {
            assertThat(TestFrames.udp(size, size)).hasSize(size);
        }
        assertThat(TestFrames.udp(TestFrames.MAX_SIZE, 0)).hasSize(1514);
        assertThat(TestFrames.udpWithVlan(1518, 0, 100)).hasSize(1518);
    }

    @Test
    void sequenceNumberCanBeReadBack() {
        assertThat(TestFrames.sequenceOf(TestFrames.udp(64, 123456789012L))).isEqualTo(123456789012L);
        assertThat(TestFrames.sequenceOf(TestFrames.udpWithVlan(68, 7, 100))).isEqualTo(7);
        assertThat(TestFrames.sequenceOf(TestFrames.stripVlan(TestFrames.udpWithVlan(68, 8, 100)))).isEqualTo(8);
    }

    @Test
    void otherBytesAreNotMistakenForTestFrames() {
        assertThat(TestFrames.sequenceOf(new byte[64])).isEqualTo(-1);
        byte[] f = TestFrames.udp(64, 1);
        f[14 + 28] ^= 1; // marker
        assertThat(TestFrames.sequenceOf(f)).isEqualTo(-1);
        assertThat(TestFrames.sequenceOf(new byte[10])).isEqualTo(-1);
    }

    @Test
    void macsAreLocallyAdministeredUnicastAndAddressesAreLoopbackOnly() {
        byte[] f = TestFrames.udp(100, 1);
        assertThat(f[0] & 0x03).as("destination: locally administered, unicast").isEqualTo(0x02);
        assertThat(f[6] & 0x03).as("source: locally administered, unicast").isEqualTo(0x02);
        assertThat(f[14 + 12]).as("source IP in 127/8").isEqualTo((byte) 127);
        assertThat(f[14 + 16]).as("destination IP in 127/8").isEqualTo((byte) 127);
    }

    @Test
    void ipAndUdpChecksumsVerify() {
        byte[] f = TestFrames.udp(333, 99);
        assertThat(onesComplementSum(f, 14, 20, 0)).isEqualTo(0xFFFF);
        int udpLength = 333 - 34;
        long pseudo = 0x7F00 + 0x0002 + 0x7F00 + 0x0003 + 17 + udpLength;
        assertThat(onesComplementSum(f, 34, udpLength, pseudo)).isEqualTo(0xFFFF);
        assertThat(ByteBuffer.wrap(f, 16, 2).getShort()).isEqualTo((short) (333 - 14));
    }

    @Test
    void vlanTagSitsAfterTheMacs() {
        byte[] f = TestFrames.udpWithVlan(100, 1, 0x2064);
        assertThat(ByteBuffer.wrap(f, 12, 6).getShort()).isEqualTo((short) 0x8100);
        assertThat(ByteBuffer.wrap(f, 14, 2).getShort()).isEqualTo((short) 0x2064);
        assertThat(ByteBuffer.wrap(f, 16, 2).getShort()).isEqualTo((short) 0x0800);
        byte[] stripped = TestFrames.stripVlan(f);
        assertThat(stripped).hasSize(96);
        assertThat(ByteBuffer.wrap(stripped, 12, 2).getShort()).isEqualTo((short) 0x0800);
    }

    @Test
    void sizesOutsideTheRangeAreRefused() {
        assertThatThrownBy(() -> TestFrames.udp(TestFrames.MIN_SIZE - 1, 0)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> TestFrames.udp(1515, 0)).hasMessageContaining("need 58 to 1514 bytes");
        assertThatThrownBy(() -> TestFrames.udpWithVlan(1519, 0, 1)).hasMessageContaining("with the VLAN tag");
    }

    private static int onesComplementSum(byte[] d, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((d[off + i] & 0xFF) << 8) | (d[off + i + 1] & 0xFF);
        }
        if ((len & 1) != 0) {
            s += (d[off + len - 1] & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}
