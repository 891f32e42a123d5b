package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.lab.VethLab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What a user reads when capture cannot start. */
@Timeout(60)
class AfPacketErrorsIT {

    @Test
    void withoutCapNetRawTheErrorNamesTheCapability() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (VethLab lab = VethLab.create()) {
            // Root, but with CAP_NET_RAW gone from the bounding set: what a service without the capability sees.
            Process p = new ProcessBuilder("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-net_raw", "--",
                    java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    OpenProbe.class.getName(), lab.hostInterface())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("probe finished").isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = out.lines().toList();
            assertThat(lines).contains("available=false");
            assertThat(lines).anyMatch(l -> l.startsWith("reason=AF_PACKET capture needs CAP_NET_RAW"));
            assertThat(lines).anyMatch(l -> l.startsWith("error=socket on " + lab.hostInterface() + ": EPERM")
                    && l.contains("capturing needs CAP_NET_RAW"));
        }
    }

    @Test
    void unknownInterfaceListsTheInterfacesThatExist() {
        assertThatThrownBy(() -> AfPacket.open(SplitAddress.AfPacket.of("nosuch0"), AfPacketOptions.defaults()))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("interface 'nosuch0' not found on this host; interfaces here: ")
                .hasMessageContaining("lo");
    }

    @Test
    void badFilterNamesTheExpressionBeforeAnySocketIsOpened() throws IOException {
        assumeTrue(dev.capstream.capture.ffi.LibPcap.isAvailable(), dev.capstream.capture.ffi.LibPcap.unavailableReason());
        // The filter is compiled before the socket exists, so this needs no privileges.
        assertThatThrownBy(() -> AfPacket.open(SplitAddress.AfPacket.of("lo"),
                AfPacketOptions.defaults().withFilter(CaptureFilter.expression("tcp and and port 80"))))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("filter 'tcp and and port 80' does not compile: ")
                .hasMessageContaining("syntax error");
    }
}
