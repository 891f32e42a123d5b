package dev.capstream.flink.testing;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;

/**
 * Test frames spread over many flows. PACKET_FANOUT's hash mode keeps a flow on one member, and
 * {@link TestFrames} are all one flow; this gives each frame a UDP source port from its flow
 * number, so a run of frames reaches every member of a fanout group.
 */
public final class Flows {

    private static final int UDP_SOURCE_PORT = 14 + 20;
    private static final int UDP_CHECKSUM = 14 + 20 + 6;

    private Flows() {
    }

    /** A {@link TestFrames#udp} frame of {@code size} bytes in flow {@code flow} (0 to 20000). */
    public static byte[] frame(int size, long sequence, int flow) {
        byte[] frame = TestFrames.udp(size, sequence);
        int port = TestFrames.SOURCE_PORT + flow;
        frame[UDP_SOURCE_PORT] = (byte) (port >>> 8);
        frame[UDP_SOURCE_PORT + 1] = (byte) port;
        // 0 = no UDP checksum (IPv4): valid, and no need to recompute it for the new port
        frame[UDP_CHECKSUM] = 0;
        frame[UDP_CHECKSUM + 1] = 0;
        return frame;
    }

    /** Sends frames {@code first .. first+count-1}, each in its own flow (sequence modulo 1000). */
    public static void send(FrameInjector injector, long first, int count, int size) {
        for (long s = first; s < first + count; s++) {
            injector.send(frame(size, s, (int) (s % 1000)));
        }
    }
}
