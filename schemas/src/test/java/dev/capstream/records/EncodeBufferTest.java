package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EncodeBufferTest {

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1, 63, -64, 64, -65, 8191, 8192, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void writesIntsAsAvroDoes(int value) throws IOException {
        EncodeBuffer out = new EncodeBuffer(0);
        out.writeInt(value);

        assertThat(out.toByteArray()).isEqualTo(avro(e -> e.writeInt(value)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, 1, 63, -64, 64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE,
            1L << 35, -(1L << 35), Long.MAX_VALUE, Long.MIN_VALUE})
    void writesLongsAsAvroDoes(long value) throws IOException {
        EncodeBuffer out = new EncodeBuffer(0);
        out.writeLong(value);

        assertThat(out.toByteArray()).isEqualTo(avro(e -> e.writeLong(value)));
    }

    @Test
    void growsFromNothingAndKeepsEverythingWritten() {
        EncodeBuffer out = new EncodeBuffer(0);
        byte[] chunk = TestFrame.counting(100).toArray(ValueLayout.JAVA_BYTE);
        for (int i = 0; i < 100; i++) {
            out.writeBytes(chunk);
        }

        assertThat(out.length()).isEqualTo(10_000);
        byte[] all = out.toByteArray();
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i]).isEqualTo((byte) (i % 100));
        }
    }

    @Test
    void copiesNativeAndHeapSegmentsWithoutALengthPrefix() {
        EncodeBuffer out = new EncodeBuffer(4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSegment = arena.allocate(3);
            nativeSegment.copyFrom(MemorySegment.ofArray(new byte[] {7, 8, 9}));
            out.writeByte(1);
            out.writeBytes(nativeSegment);
            out.writeBytes(MemorySegment.ofArray(new byte[] {10, 11}));
            out.writeBytes(MemorySegment.ofArray(new byte[0]));
        }

        assertThat(out.toByteArray()).containsExactly(1, 7, 8, 9, 10, 11);
    }

    @Test
    void resetKeepsTheArraySoTheNextRecordAllocatesNothing() {
        EncodeBuffer out = new EncodeBuffer(16);
        out.writeBytes(new byte[1000]);
        byte[] grown = out.array();

        out.reset();
        out.writeLong(-1);

        assertThat(out.array()).isSameAs(grown);
        assertThat(out.length()).isEqualTo(1);
        assertThat(out.toByteArray()).containsExactly(1);
    }

    @Test
    void truncateTakesBackAPartlyWrittenRecord() {
        EncodeBuffer out = new EncodeBuffer();
        out.writeBytes(new byte[] {1, 2, 3});
        int mark = out.length();
        out.writeBytes(new byte[] {4, 5});

        out.truncate(mark);

        assertThat(out.toByteArray()).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> out.truncate(4)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("cannot truncate 3 bytes to 4");
    }

    @Test
    void writesFixedWidthHeaderFields() {
        EncodeBuffer out = new EncodeBuffer();
        out.writeIntBigEndian(0x01020304);
        out.writeLongLittleEndian(0x0102030405060708L);

        assertThat(out.toByteArray()).containsExactly(1, 2, 3, 4, 8, 7, 6, 5, 4, 3, 2, 1);
    }

    private interface Write {
        void to(BinaryEncoder encoder) throws IOException;
    }

    private static byte[] avro(Write write) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        write.to(encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
