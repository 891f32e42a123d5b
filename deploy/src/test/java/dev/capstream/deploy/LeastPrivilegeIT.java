package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.sidecar.broker.EmbeddedBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The unpacked distribution run as an unprivileged user (nobody) with exactly the privileges the
 * deploy files give it:
 * <ul>
 *   <li>the systemd unit's: CAP_NET_RAW as an ambient capability, bounding set NET_RAW only,
 *       no_new_privs;</li>
 *   <li>the container image's: no ambient capability, but a java carrying cap_net_raw+ep as a file
 *       capability (a mirror of this JDK whose java is a copy with that capability), its library
 *       directory in the loader cache (in a private mount namespace), and a bounding set of
 *       NET_RAW only, as {@code --cap-drop ALL --cap-add NET_RAW} leaves it;</li>
 *   <li>and none: the documented error naming CAP_NET_RAW, exit code 2.</li>
 * </ul>
 */
class LeastPrivilegeIT {

    private static final int FRAMES = 60;
    private static final int IFF_PROMISC = 0x100;
    private static final String NOBODY = "65534";

    private static UnpackedDistribution dist;
    private static EmbeddedBroker broker;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        dist = UnpackedDistribution.unpack();
        broker = EmbeddedBroker.start();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (broker != null) {
            broker.close();
        }
        if (dist != null) {
            dist.close();
        }
    }

    /** setpriv as nobody with no supplementary groups, no_new_privs, and the given capability sets. */
    private static List<String> asNobody(String inheritable, String ambient, String bounding) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--inh-caps=" + inheritable, "--bounding-set=" + bounding));
        if (ambient != null) {
            command.add("--ambient-caps=" + ambient);
        }
        return command;
    }

    @Test
    void withOnlyAmbientNetRawAsNobodyCaptureWorksPromiscuousModeIncluded() throws Exception {
        List<String> command = asNobody("-all,+net_raw", "-all,+net_raw", "-all,+net_raw");
        command.add("--no-new-privs"); // NoNewPrivileges=yes, as in the unit
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            assertThat(lab.hostFlags() & IFF_PROMISC).isZero();
            command.addAll(captureArgs(lab, "--promisc"));
            try (ChildProcess capture = ChildProcess.start(command, Map.of("JAVA_HOME", System.getProperty("java.home")))) {
                capture.awaitStderr("capturing on", 120);
                // Promiscuous mode is a membership of capstream's own socket: CAP_NET_RAW is enough.
                assertThat(lab.hostFlags() & IFF_PROMISC).as("IFF_PROMISC while capturing").isNotZero();
                sendAndExpectEveryFrame(injector, capture);
            }
            assertThat(lab.hostFlags() & IFF_PROMISC).as("IFF_PROMISC after capstream exited").isZero();
        }
    }

    @Test
    void withNoCapabilitiesCaptureFailsNamingCapNetRawWithExitCode2() throws Exception {
        List<String> command = asNobody("-all", "-all", "-all");
        command.add("--no-new-privs");
        try (VethLab lab = VethLab.create()) {
            command.addAll(captureArgs(lab));
            try (ChildProcess capture = ChildProcess.run(command, Map.of("JAVA_HOME", System.getProperty("java.home")), 120)) {
                assertThat(capture.exitCode()).as(capture.stderr()).isEqualTo(2);
                assertThat(capture.stderr()).contains("CAP_NET_RAW").contains(lab.hostInterface())
                        .doesNotContain("Exception in thread").doesNotContain("\tat ");
                assertThat(capture.stdout()).doesNotContain("result=");
            }
        }
    }

    @Test
    void asTheImageDoesItAFileCapabilityOnJavaIsEnoughForANonRootUser() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/setcap")) || Files.isExecutable(Path.of("/sbin/setcap")),
                "needs setcap (libcap2-bin)");
        try (JavaWithFileCapability java = JavaWithFileCapability.create();
                VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            List<String> command = java.inMountNamespace(asNobody("-all", null, "-all,+net_raw"));
            command.addAll(captureArgs(lab));
            try (ChildProcess capture = ChildProcess.start(command, Map.of("JAVA_HOME", java.home().toString()))) {
                capture.awaitStderr("capturing on", 120);
                sendAndExpectEveryFrame(injector, capture);
            }
        }
    }

    @Test
    void asTheImageDoesItWithoutNetRawInTheBoundingSetTheLauncherNamesTheCapability() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/setcap")) || Files.isExecutable(Path.of("/sbin/setcap")),
                "needs setcap (libcap2-bin)");
        try (JavaWithFileCapability java = JavaWithFileCapability.create(); VethLab lab = VethLab.create()) {
            // docker run --cap-drop ALL (no --cap-add NET_RAW): the kernel refuses to exec java at all.
            List<String> command = java.inMountNamespace(asNobody("-all", null, "-all"));
            command.addAll(captureArgs(lab));
            try (ChildProcess capture = ChildProcess.run(command, Map.of("JAVA_HOME", java.home().toString()), 120)) {
                assertThat(capture.exitCode()).as(capture.stderr()).isEqualTo(2);
                assertThat(capture.stderr()).contains("cannot start").contains("CAP_NET_RAW")
                        .contains("--cap-add NET_RAW");
            }
        }
    }

    private static List<String> captureArgs(VethLab lab, String... extra) {
        List<String> args = new ArrayList<>(List.of(dist.launcher().toString(), "capture",
                "--interface", lab.hostInterface(), "--topic", "priv-" + UUID.randomUUID(),
                "--bootstrap-servers", broker.bootstrapServers(), "--count", String.valueOf(FRAMES),
                "--duration", "120", "--metrics-port", "0"));
        args.addAll(List.of(extra));
        return args;
    }

    private static void sendAndExpectEveryFrame(FrameInjector injector, ChildProcess capture) throws Exception {
        for (int i = 0; i < FRAMES; i++) {
            injector.send(TestFrames.udp(80, i));
        }
        assertThat(capture.awaitExit(90)).as("exit code; stderr:%n%s", capture.stderr()).isZero();
        assertThat(capture.summary()).containsEntry("result", "ok")
                .containsEntry("captured", String.valueOf(FRAMES))
                .containsEntry("delivered", String.valueOf(FRAMES));
    }

    /**
     * A mirror of this test's JDK whose {@code bin/java} is a real copy carrying {@code cap_net_raw+ep}
     * (everything else links back to the JDK, which stays untouched), plus a loader cache that has
     * the mirror's lib/ in it: a java with file capabilities runs in secure-execution mode, where
     * the loader ignores $ORIGIN and would not find libjli.so (the image puts the directory in
     * ld.so.conf for the same reason). The cache is bind-mounted over /etc/ld.so.cache only inside a
     * private mount namespace.
     */
    private record JavaWithFileCapability(Path dir, Path home, Path loaderCache) implements AutoCloseable {

        static JavaWithFileCapability create() throws IOException, InterruptedException {
            Path jdk = Path.of(System.getProperty("java.home")).toRealPath();
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "capstream-jdkcap-");
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path home = dir.resolve("jdk");
            Files.createDirectories(home.resolve("bin"));
            try (Stream<Path> entries = Files.list(jdk)) {
                for (Path e : entries.toList()) {
                    if (!e.getFileName().toString().equals("bin")) {
                        Files.createSymbolicLink(home.resolve(e.getFileName()), e);
                    }
                }
            }
            Files.copy(jdk.resolve("bin/java"), home.resolve("bin/java"));
            Path loaderConf = dir.resolve("ld.so.conf");
            Files.writeString(loaderConf, "include /etc/ld.so.conf.d/*.conf\n" + home.resolve("lib") + "\n");
            Path cache = dir.resolve("ld.so.cache");
            JavaWithFileCapability java = new JavaWithFileCapability(dir, home, cache);
            try {
                mustRun(List.of("setcap", "cap_net_raw+ep", home.resolve("bin/java").toString()));
                mustRun(List.of("ldconfig", "-f", loaderConf.toString(), "-C", cache.toString()));
            } catch (IOException | InterruptedException | RuntimeException e) {
                java.close();
                throw e;
            }
            return java;
        }

        /** The command, run in a private mount namespace with the mirror's loader cache in place. */
        List<String> inMountNamespace(List<String> command) {
            List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind \"$0\" /etc/ld.so.cache && exec \"$@\"", loaderCache.toString()));
            wrapped.addAll(command);
            return wrapped;
        }

        private static void mustRun(List<String> command) throws IOException, InterruptedException {
            try (ChildProcess p = ChildProcess.run(command, Map.of(), 60)) {
                if (p.exitCode() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + p.stderr());
                }
            }
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p); // symlinks are removed, never followed
                }
            }
        }
    }
}
