package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.lab.VethLab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What a user reads when AF_XDP capture cannot start, and what is left behind when a process dies. */
@Timeout(90)
class AfXdpErrorsIT {

    private static final Path CAPSH = Path.of("/usr/sbin/capsh");

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfXdp.isAvailable(), AfXdp.unavailableReason());
    }

    @Test
    void anInterfaceWithAnotherXdpProgramIsRefusedWithAMessageSayingSo() {
        try (VethLab lab = VethLab.create()) {
            String iface = lab.hostInterface();
            int ifindex = Libc.ifNameToIndex(iface);
            // Another program (here: a second copy of ours, attached outside capstream's bookkeeping).
            int map = Bpf.createXskMap(1, iface);
            int prog;
            try (Arena arena = Arena.ofConfined()) {
                prog = Bpf.loadXdpProgram(RedirectProgram.assemble(map, arena), "other_prog", iface);
            }
            int link = Bpf.createXdpLink(prog, ifindex, 0, iface);
            try {
                assertThatThrownBy(() -> AfXdp.open(new SplitAddress.AfXdp(iface, 0)))
                        .isInstanceOf(CaptureException.class)
                        .hasMessageStartingWith("bpf(BPF_LINK_CREATE) on " + iface + ": EBUSY")
                        .hasMessageContaining(iface + " already has an XDP program attached")
                        .hasMessageContaining("ip link set dev " + iface + " xdp off");
                assertThat(XdpLinks.show(iface)).as("the other program stays").contains("other_prog");
            } finally {
                Libc.close(link, iface);
                Libc.close(prog, iface);
                Libc.close(map, iface);
            }
        }
    }

    @Test
    void aQueueTheInterfaceDoesNotHaveIsNamedBeforeAnythingIsAttached() {
        try (VethLab lab = VethLab.create()) {
            assertThatThrownBy(() -> AfXdp.open(new SplitAddress.AfXdp(lab.hostInterface(), 3)))
                    .isInstanceOf(CaptureException.class)
                    .hasMessage("interface " + lab.hostInterface() + " has 1 RX queue (0 to 0), so queue 3 does not exist:"
                            + " use afxdp:" + lab.hostInterface() + ":QUEUE with a queue below 1 (see 'ethtool -l "
                            + lab.hostInterface() + "')");
            assertThat(XdpLinks.attached(lab.hostInterface())).isFalse();
        }
    }

    @Test
    void anUnknownInterfaceIsNamed() {
        assertThatThrownBy(() -> AfXdp.open(new SplitAddress.AfXdp("nosuch18x", 0)))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("interface 'nosuch18x' not found on this host");
    }

    @Test
    void theProgramIsDetachedWhenTheProcessIsKilledWithSigkill() throws Exception {
        try (VethLab lab = VethLab.create()) {
            Process child = holder(List.of(), lab.hostInterface());
            try {
                List<String> out = awaitLine(child, "ready");
                assertThat(out).anyMatch(l -> l.startsWith("ready afxdp:" + lab.hostInterface()));
                assertThat(XdpLinks.attached(lab.hostInterface())).as("attached while the child lives").isTrue();
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(XdpLinks.detachedWithin(lab.hostInterface(), 5_000))
                        .as("program gone after kill -9:\n" + XdpLinks.show(lab.hostInterface())).isTrue();
            } finally {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void withoutCapNetRawTheErrorNamesTheCapability() throws Exception {
        assumeTrue(Files.isExecutable(CAPSH), "capsh (libcap2-bin) is not installed");
        try (VethLab lab = VethLab.create()) {
            List<String> out = runToEnd(holder(List.of("--drop=cap_net_raw"), lab.hostInterface()));
            assertThat(out).contains("available=false");
            assertThat(out).anyMatch(l -> l.startsWith("reason=socket(AF_XDP) failed with EPERM: CAP_NET_RAW is missing."));
            assertThat(out).anyMatch(l -> l.startsWith("error=cannot capture on afxdp:" + lab.hostInterface() + ":0:")
                    && l.contains("CAP_NET_RAW"));
            assertThat(XdpLinks.attached(lab.hostInterface())).isFalse();
        }
    }

    @Test
    void withoutCapBpfTheErrorNamesTheCapability() throws Exception {
        assumeTrue(Files.isExecutable(CAPSH), "capsh (libcap2-bin) is not installed");
        try (VethLab lab = VethLab.create()) {
            List<String> out = runToEnd(holder(List.of("--drop=cap_bpf,cap_sys_admin"), lab.hostInterface()));
            assertThat(out).contains("available=false");
            assertThat(out).anyMatch(l -> l.startsWith("reason=bpf(BPF_MAP_CREATE) failed with EPERM: CAP_BPF"));
            assertThat(out).anyMatch(l -> l.startsWith("error=") && l.contains("CAP_BPF"));
            assertThat(XdpLinks.attached(lab.hostInterface())).isFalse();
        }
    }

    /** The holder JVM, under {@code capsh --drop=...} when capabilities are to be dropped. */
    private static Process holder(List<String> capshDrops, String iface) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        if (!capshDrops.isEmpty()) {
            cmd.add(CAPSH.toString());
            cmd.addAll(capshDrops);
            cmd.addAll(List.of("--", "-c", "exec \"$@\"", "sh"));
        }
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                XdpHolderMain.class.getName(), iface));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static List<String> awaitLine(Process p, String prefix) throws Exception {
        List<String> lines = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            lines.add(line);
            if (line.startsWith(prefix) || line.startsWith("error=")) {
                break;
            }
        }
        return lines;
    }

    private static List<String> runToEnd(Process p) throws Exception {
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("holder finished").isTrue();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } finally {
            p.destroyForcibly();
        }
    }
}
