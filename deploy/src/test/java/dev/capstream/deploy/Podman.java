package dev.capstream.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * podman as the container tests run it, with the settings this kind of machine needs and users'
 * engines do not (so they stay here, not in the Dockerfile): runc with cgroupfs (crun refuses the
 * hybrid cgroup mounts), and a containers.conf without default ulimits (root here lacks
 * CAP_SYS_RESOURCE to raise them). Health checks run on request ({@code podman healthcheck run}):
 * there is no systemd to time them.
 */
final class Podman implements AutoCloseable {

    private final Path config;

    private Podman(Path config) {
        this.config = config;
    }

    /** Why the container tests cannot run here, or null when they can. */
    static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the container tests need root (debootstrap, chroot builds, network namespaces)";
        }
        for (String tool : List.of("podman", "buildah", "debootstrap", "runc")) {
            if (List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin").stream().noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
                return tool + " is not installed (apt-get install podman buildah runc fuse-overlayfs uidmap debootstrap)";
            }
        }
        return null;
    }

    static Podman create() throws IOException {
        Path config = Files.createTempFile("capstream-containers-", ".conf");
        Files.writeString(config, "[containers]\ndefault_ulimits = []\n");
        return new Podman(config);
    }

    /** {@code podman ARGS...} with this machine's runtime settings. */
    List<String> command(String... arguments) {
        List<String> command = new ArrayList<>(List.of("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs"));
        command.addAll(List.of(arguments));
        return command;
    }

    Map<String, String> environment() {
        return Map.of("CONTAINERS_CONF", config.toString());
    }

    ChildProcess start(List<String> command) throws IOException {
        return ChildProcess.start(command, environment());
    }

    ChildProcess run(int seconds, String... arguments) throws IOException, InterruptedException {
        return ChildProcess.run(command(arguments), environment(), seconds);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(config);
    }
}
