package dev.capstream.sidecar.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.afpacket.AfPacket;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's own veth pair: what it sends from the namespace side is captured on the host end, and close removes it all. */
class DemoLinkIT {

    @Test
    void framesSentFromTheNamespaceArriveOnTheHostEndAndCloseRemovesThePairAndTheNamespace() {
        assumeTrue(DemoLink.unsupportedReason() == null, DemoLink.unsupportedReason());
        DemoLink link = DemoLink.create();
        String host = link.hostInterface();
        try (link; SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(host))) {
            for (int i = 0; i < 20; i++) {
                link.send(DemoFrames.udp(64 + i, i));
            }
            List<byte[]> seen = new ArrayList<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.size() < 20 && System.nanoTime() < deadline) {
                FrameCursor c = reader.poll(100);
                if (c == null) {
                    continue;
                }
                while (c.next()) {
                    seen.add(c.bytes().toArray(ValueLayout.JAVA_BYTE));
                }
                reader.release();
            }
            assertThat(seen).hasSize(20);
            for (int i = 0; i < 20; i++) {
                assertThat(seen.get(i)).isEqualTo(DemoFrames.udp(64 + i, i));
            }
        }
        assertThat(Path.of("/sys/class/net", host)).doesNotExist();
        assertThat(Files.exists(Path.of("/run/netns", link.namespace()))).isFalse();
    }
}
