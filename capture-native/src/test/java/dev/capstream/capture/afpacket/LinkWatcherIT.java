package dev.capstream.capture.afpacket;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kernel's link notifications and link counters through rtnetlink, on a real veth pair. Needs root. */
@Timeout(60)
class LinkWatcherIT {

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
    }

    @Test
    void linkDownUpAndDeletionAreNotifiedForTheWatchedInterfaceOnly() {
        try (VethLab lab = VethLab.create(); VethLab other = VethLab.create()) {
            try (LinkWatcher watcher = LinkWatcher.watch(lab.hostInterface())) {
                assertThat(watcher.awaitChange(50)).as("nothing happened yet").isFalse();

                other.setHostUp(false);
                assertThat(watcher.awaitChange(200)).as("another interface went down").isFalse();

                lab.setHostUp(false);
                assertThat(watcher.awaitChange(2000)).as("the watched interface went down").isTrue();
                assertThat(LinkWatcher.query(lab.hostInterface()).flags() & 1).as("IFF_UP").isZero();

                lab.setHostUp(true);
                assertThat(watcher.awaitChange(2000)).as("the watched interface came up").isTrue();
                assertThat(LinkWatcher.query(lab.hostInterface()).flags() & 1).as("IFF_UP").isEqualTo(1);

                lab.recreatePair();
                assertThat(watcher.awaitChange(2000)).as("the watched interface was deleted and created").isTrue();
            }
        }
    }

    @Test
    void queryReadsTheInterfacesReceiveCounterAndNullForNoInterface() {
        try (VethLab lab = VethLab.create()) {
            LinkWatcher.Link before = LinkWatcher.query(lab.hostInterface());
            assertThat(before.name()).isEqualTo(lab.hostInterface());
            assertThat(before.index()).isEqualTo(dev.capstream.capture.ffi.Libc.ifNameToIndex(lab.hostInterface()));
            try (FrameInjector injector = FrameInjector.open(lab)) {
                for (int i = 0; i < 37; i++) {
                    injector.send(TestFrames.udp(100, i));
                }
            }
            LinkWatcher.Link after = LinkWatcher.query(lab.hostInterface());
            assertThat(after.rxPackets() - before.rxPackets()).as("rx_packets of the receiving veth end").isEqualTo(37);
        }
        assertThat(LinkWatcher.query("cs14-nosuch0")).isNull();
    }
}
