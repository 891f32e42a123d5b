package dev.capstream.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The built tarball unpacked with {@code tar} into a fresh directory that every user can read, so
 * unprivileged users (nobody) can run its launcher as well.
 */
final class UnpackedDistribution implements AutoCloseable {

    private final Path parent;
    private final Path home;

    private UnpackedDistribution(Path parent, Path home) {
        this.parent = parent;
        this.home = home;
    }

    /** The full tarball, capstream-VERSION.tar.gz. */
    static UnpackedDistribution unpack() throws IOException, InterruptedException {
        return unpack("capstream.tarball");
    }

    /** The capture-host tarball, capstream-VERSION-capture-host.tar.gz: no lib/broker/. */
    static UnpackedDistribution unpackCaptureHost() throws IOException, InterruptedException {
        return unpack("capstream.capture-host.tarball");
    }

    private static UnpackedDistribution unpack(String property) throws IOException, InterruptedException {
        Path tarball = Path.of(DeployFiles.required(property));
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException(tarball + " is missing: the integration tests run after 'package'");
        }
        Path parent = Files.createTempDirectory(Path.of("/tmp"), "capstream-dist-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        // createTempDirectory applies the umask; make sure others may enter
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ChildProcess tar = ChildProcess.run(List.of("tar", "-xzf", tarball.toString(), "-C", parent.toString()),
                Map.of(), 120)) {
            if (tar.exitCode() != 0) {
                throw new IllegalStateException("tar -xzf " + tarball + " failed: " + tar.stderr());
            }
        }
        return new UnpackedDistribution(parent, parent.resolve("capstream-" + DeployFiles.projectVersion()));
    }

    /** capstream-VERSION/ */
    Path home() {
        return home;
    }

    Path launcher() {
        return home.resolve("bin/capstream");
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(parent)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
