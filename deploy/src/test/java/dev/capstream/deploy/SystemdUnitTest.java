package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The systemd unit's privileges and hardening, read from the file. */
class SystemdUnitTest {

    static final java.nio.file.Path UNIT = DeployFiles.moduleDir().resolve("systemd/capstream.service");
    static final java.nio.file.Path AFXDP_DROP_IN = DeployFiles.moduleDir().resolve("systemd/capstream.service.d/afxdp.conf");

    /** Key to its values (a key may repeat), outside comments. */
    static Map<String, List<String>> directives() {
        return directives(UNIT);
    }

    /** The AF_XDP drop-in's directives. */
    static Map<String, List<String>> afXdpDropIn() {
        return directives(AFXDP_DROP_IN);
    }

    static Map<String, List<String>> directives(java.nio.file.Path file) {
        Map<String, List<String>> d = new LinkedHashMap<>();
        for (String line : DeployFiles.read(file).lines().toList()) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || l.startsWith("[")) {
                continue;
            }
            int eq = l.indexOf('=');
            d.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
        }
        return d;
    }

    static String single(String key) {
        List<String> values = directives().get(key);
        assertThat(values).as(key).isNotNull().hasSize(1);
        return values.getFirst();
    }

    @Test
    void aDynamicUserHoldsOnlyCapNetRaw() {
        assertThat(single("DynamicUser")).isEqualTo("yes");
        assertThat(single("AmbientCapabilities")).isEqualTo("CAP_NET_RAW");
        assertThat(single("CapabilityBoundingSet")).isEqualTo("CAP_NET_RAW");
        assertThat(single("NoNewPrivileges")).isEqualTo("yes");
        assertThat(directives()).doesNotContainKeys("User", "PrivateUsers");
    }

    @Test
    void theAfXdpDropInAddsBpfNetAdminIpcLockTheAddressFamilyAndMemlockOnly() {
        Map<String, List<String>> d = afXdpDropIn();
        assertThat(d.get("AmbientCapabilities")).containsExactly("CAP_BPF CAP_NET_ADMIN CAP_IPC_LOCK");
        assertThat(d.get("CapabilityBoundingSet")).containsExactly("CAP_BPF CAP_NET_ADMIN CAP_IPC_LOCK");
        assertThat(d.get("RestrictAddressFamilies")).containsExactly("AF_XDP");
        assertThat(d.get("LimitMEMLOCK")).containsExactly("infinity");
        assertThat(d.keySet()).containsExactlyInAnyOrder("ExecStart", "AmbientCapabilities", "CapabilityBoundingSet",
                "RestrictAddressFamilies", "LimitMEMLOCK");
        // the unit's deny list must leave bpf(2) alone (it is in @privileged, which the unit does not deny)
        assertThat(single("SystemCallFilter")).doesNotContain("@privileged").doesNotContain("bpf");
    }

    @Test
    void hardeningThatCaptureSurvivesIsOn() {
        assertThat(single("ProtectSystem")).isEqualTo("strict");
        for (String key : List.of("ProtectHome", "PrivateTmp", "ProtectKernelTunables", "ProtectKernelModules",
                "ProtectControlGroups", "RestrictNamespaces", "LockPersonality")) {
            assertThat(single(key)).as(key).isEqualTo("yes");
        }
        assertThat(single("SystemCallArchitectures")).isEqualTo("native");
        assertThat(single("RestrictAddressFamilies").split(" "))
                .containsExactlyInAnyOrder("AF_PACKET", "AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK");
        // the JIT needs writable and executable memory; a network namespace of its own would hide the interfaces
        assertThat(directives()).doesNotContainKeys("MemoryDenyWriteExecute", "PrivateNetwork");
    }

    @Test
    void startsTheDistributionsLauncherWithTheConfigFileAndRestartsOnFailure() {
        assertThat(single("ExecStart"))
                .isEqualTo("/opt/capstream/bin/capstream capture --config /etc/capstream/capstream.properties"
                        + " --spool-dir /var/lib/capstream/spool --spool-max-bytes 4G");
        assertThat(single("StateDirectory")).as("the spool's directory survives restarts").isEqualTo("capstream");
        assertThat(single("Restart")).isEqualTo("on-failure");
        assertThat(single("RestartPreventExitStatus")).as("exit 2 is a setup error").isEqualTo("2");
    }

    @Test
    void stopTimeoutLeavesRoomForTheFlushTimeout() {
        int flush = Integer.parseInt(CaptureOptions.defaultValue("--flush-timeout"));
        int stop = Integer.parseInt(single("TimeoutStopSec"));
        assertThat(stop).as("TimeoutStopSec vs --flush-timeout %d s + JVM stop", flush).isGreaterThanOrEqualTo(flush + 10);
        int configured = Integer.parseInt(ExampleOptionsTest.distConfig().getProperty("flush-timeout"));
        assertThat(stop).as("TimeoutStopSec vs the example config's flush-timeout").isGreaterThanOrEqualTo(configured + 10);
    }
}
