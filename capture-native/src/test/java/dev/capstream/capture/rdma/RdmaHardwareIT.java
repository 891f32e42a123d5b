package dev.capstream.capture.rdma;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real sniffer on real hardware: runs only where an mlx4/mlx5 device with an Ethernet port and
 * CAP_NET_RAW exist (skipped otherwise, with the reason). It sends nothing: it sniffs whatever the
 * port carries for a bounded time and checks that the split opens, delivers well-formed frames,
 * accounts for them and tears down cleanly.
 */
class RdmaHardwareIT {

    private static final int CAP_NET_RAW = 13;

    @Test
    void sniffsAnMlxPortAndTearsDownCleanly() {
        Rdma.Devices devices = Rdma.listDevices();
        Optional<String> device = devices.names().stream()
                .filter(n -> RdmaErrors.providerOf(n).equals("mlx5") || RdmaErrors.providerOf(n).equals("mlx4"))
                .findFirst();
        skipUnless(RdmaHardwareIT.class, device.isPresent(), "no mlx4/mlx5 RDMA device here ("
                + (devices.reason() != null ? devices.reason() : "devices: " + devices.names()) + ")");
        skipUnless(RdmaHardwareIT.class, hasCapability(CAP_NET_RAW), "sniffing needs CAP_NET_RAW, which this process lacks");

        SplitAddress.Rdma address = new SplitAddress.Rdma(device.get(), 1);
        long frames = 0;
        try (RdmaSnifferReader reader = Rdma.open(address, new RdmaConfig(256, 0, true))) {
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline && frames < 10_000) {
                FrameCursor block = reader.poll(100);
                if (block == null) {
                    continue;
                }
                while (block.next()) {
                    assertThat(block.captureLength()).isBetween(14, reader.rdmaStats().bufferSize());
                    assertThat(block.bytes().byteSize()).isEqualTo(block.captureLength());
                    assertThat(block.timestampSource()).isEqualTo(reader.timestampSource());
                    frames++;
                }
                reader.release();
            }
            CaptureStats s = reader.stats();
            assertThat(s.framesRead()).isEqualTo(frames);
            assertThat(s.kernelPackets()).isEqualTo(s.framesRead() + s.kernelDrops());
            assertThat(reader.rdmaStats().postedBuffers()).isEqualTo(256);
            System.out.println("sniffed " + frames + " frames on " + address + ": " + reader.rdmaStats());
        }
    }

    /** Skips (never passes) with the reason on the console as well as in the report. */
    static void skipUnless(Class<?> test, boolean condition, String reason) {
        if (!condition) {
            System.out.println("SKIPPED " + test.getSimpleName() + ": " + reason);
        }
        assumeTrue(condition, reason);
    }

    static boolean hasCapability(int capability) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    return (caps & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
