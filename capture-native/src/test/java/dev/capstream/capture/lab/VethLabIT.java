package dev.capstream.capture.lab;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
class VethLabIT {

    @BeforeEach
    void requireRoot() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
    }

    @Test
    void labHasUniqueShortNamesAndTheHostEndIsUpWithoutIpv6() throws Exception {
        try (VethLab a = VethLab.create(); VethLab b = VethLab.create()) {
            assertThat(a.hostInterface()).isNotEqualTo(b.hostInterface()).hasSizeLessThanOrEqualTo(15);
            assertThat(a.peerInterface()).hasSizeLessThanOrEqualTo(15);
            Path sys = Path.of("/sys/class/net", a.hostInterface());
            assertThat(Files.readString(sys.resolve("operstate")).strip()).isEqualTo("up");
            Path v6 = Path.of("/proc/sys/net/ipv6/conf", a.hostInterface(), "disable_ipv6");
            if (Files.exists(v6)) {
                assertThat(Files.readString(v6).strip()).isEqualTo("1");
                assertThat(Commands.run("ip", "netns", "exec", a.namespace(), "cat",
                        "/proc/sys/net/ipv6/conf/" + a.peerInterface() + "/disable_ipv6").strip()).isEqualTo("1");
            }
            assertThat(Path.of("/sys/class/net", a.peerInterface())).as("the peer lives in the namespace").doesNotExist();
            assertThat(Commands.run("ip", "-n", a.namespace(), "-o", "link", "show", a.peerInterface()))
                    .contains("state UP");
        }
    }

    @Test
    void closeRemovesThePairAndTheNamespaceAndCanBeRepeated() {
        VethLab lab = VethLab.create();
        lab.close();
        lab.close();
        assertThat(Path.of("/sys/class/net", lab.hostInterface())).doesNotExist();
        assertThat(Path.of("/run/netns", lab.namespace())).doesNotExist();
    }

    @Test
    void injectorWorksInsideTheNamespace() {
        try (VethLab lab = VethLab.create(); FrameInjector in = FrameInjector.open(lab)) {
            assertThat(in.interfaceIndex()).isPositive();
            in.send(TestFrames.udp(64, 1));
        }
    }
}
