package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import org.junit.jupiter.api.Test;

class FrameSymbolsTest {

    @Test
    void everyCaptureClockHasTheSchemaSymbolOfItsName() {
        for (dev.capstream.capture.TimestampSource source : dev.capstream.capture.TimestampSource.values()) {
            assertThat(FrameSymbols.timestampSource(source).name()).isEqualTo(source.name());
        }
    }

    @Test
    void linuxPacketTypesAreTheDirectionsInKernelOrderAndAnythingElseIsUnknown() {
        // if_packet.h: PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4, LOOPBACK 5, USER 6, KERNEL 7
        assertThat(FrameSymbols.direction(0)).isEqualTo(Direction.HOST);
        assertThat(FrameSymbols.direction(4)).isEqualTo(Direction.OUTGOING);
        assertThat(FrameSymbols.direction(7)).isEqualTo(Direction.KERNEL);
        assertThat(FrameSymbols.direction(8)).isEqualTo(Direction.UNKNOWN);
        assertThat(FrameSymbols.direction(-1)).isEqualTo(Direction.UNKNOWN);
        assertThat(FrameSymbols.direction(Integer.MAX_VALUE)).isEqualTo(Direction.UNKNOWN);
    }

    @Test
    void theEncodersWriteTheSymbolsIndex() {
        assertThat(CapturedFrameEncoder.directionIndex(5)).isEqualTo(Direction.LOOPBACK.ordinal());
        assertThat(CapturedFrameEncoder.timestampSourceIndex(dev.capstream.capture.TimestampSource.FILE))
                .isEqualTo(TimestampSource.FILE.ordinal());
    }
}
