package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd's own checks of the unit: {@code systemd-analyze verify} (a copy whose ExecStart points
 * at the unpacked distribution's launcher, since verify wants the binary to exist) and the exposure
 * level {@code systemd-analyze security --offline} gives it.
 */
class SystemdUnitIT {

    /** systemd's scale: 0 (locked down) to 10 (fully exposed); a unit at or below 2 is well confined. */
    private static final double MAX_EXPOSURE = 2.0;

    private static UnpackedDistribution dist;

    @BeforeAll
    static void unpack() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
                "needs systemd-analyze (Debian: apt-get install systemd)");
        dist = UnpackedDistribution.unpack();
    }

    @AfterAll
    static void remove() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    private static Path unitPointingAtTheDistribution(Path dir) throws Exception {
        String unit = DeployFiles.read(SystemdUnitTest.UNIT);
        assertThat(unit).contains("ExecStart=/opt/capstream/bin/capstream ");
        Path copy = dir.resolve("capstream.service");
        Files.writeString(copy, unit.replace("ExecStart=/opt/capstream/bin/capstream ",
                "ExecStart=" + dist.launcher() + " "));
        return copy;
    }

    @Test
    void systemdAnalyzeVerifyFindsNothingToSay(@TempDir Path dir) throws Exception {
        Path unit = unitPointingAtTheDistribution(dir);
        try (ChildProcess verify = ChildProcess.run(List.of("systemd-analyze", "verify", unit.toString()), Map.of(), 60)) {
            assertThat(verify.exitCode()).as(verify.stderr()).isZero();
            // unknown keys and unparsable values are only warnings: any line about the unit is a failure
            assertThat(verify.stderr() + verify.stdout()).as("systemd-analyze verify output").doesNotContain("capstream");
        }
    }

    @Test
    void theUnitWithTheAfXdpDropInVerifiesAndHoldsTheAfXdpCapabilities(@TempDir Path dir) throws Exception {
        Path unit = unitPointingAtTheDistribution(dir);
        Path dropIns = Files.createDirectories(dir.resolve("capstream.service.d"));
        Files.writeString(dropIns.resolve("afxdp.conf"), DeployFiles.read(SystemdUnitTest.AFXDP_DROP_IN)
                .replace("ExecStart=/opt/capstream/bin/capstream ", "ExecStart=" + dist.launcher() + " "));
        try (ChildProcess verify = ChildProcess.run(List.of("systemd-analyze", "verify", unit.toString()), Map.of(), 60)) {
            assertThat(verify.exitCode()).as(verify.stderr()).isZero();
            assertThat(verify.stderr() + verify.stdout()).as("systemd-analyze verify output").doesNotContain("capstream");
        }
        try (ChildProcess security = ChildProcess.run(
                List.of("systemd-analyze", "security", "--offline=yes", "--no-pager", unit.toString()), Map.of(), 60)) {
            String out = security.stdout() + security.stderr();
            // The drop-in was read: the merged unit may load BPF programs and configure the network
            // (without the drop-in both lines start with a check mark).
            assertThat(out).contains("\u2717 CapabilityBoundingSet=~CAP_BPF").contains("\u2717 CapabilityBoundingSet=~CAP_NET_ADMIN");
        }
    }

    @Test
    void verifyWouldCatchAMissingLauncher(@TempDir Path dir) throws Exception {
        Path unit = dir.resolve("capstream.service");
        Files.writeString(unit, DeployFiles.read(SystemdUnitTest.UNIT));
        try (ChildProcess verify = ChildProcess.run(List.of("systemd-analyze", "verify", unit.toString()), Map.of(), 60)) {
            assumeTrue(!Files.exists(Path.of("/opt/capstream/bin/capstream")), "capstream is installed on this host");
            assertThat(verify.exitCode()).isNotZero();
            assertThat(verify.stderr()).contains("/opt/capstream/bin/capstream");
        }
    }

    @Test
    void exposureLevelStaysLow(@TempDir Path dir) throws Exception {
        Path unit = unitPointingAtTheDistribution(dir);
        try (ChildProcess security = ChildProcess.run(
                List.of("systemd-analyze", "security", "--offline=yes", "--no-pager", unit.toString()), Map.of(), 60)) {
            String out = security.stdout() + security.stderr();
            Matcher m = Pattern.compile("Overall exposure level for capstream.service: (\\d+\\.\\d+)").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            double exposure = Double.parseDouble(m.group(1));
            System.out.println("systemd-analyze security: exposure " + exposure + " (0 = locked down, 10 = exposed)");
            assertThat(exposure).as(out).isLessThanOrEqualTo(MAX_EXPOSURE);
        }
    }
}
