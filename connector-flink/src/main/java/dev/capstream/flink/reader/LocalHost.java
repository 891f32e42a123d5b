package dev.capstream.flink.reader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The name stamped on records of file splits, which have no configured host. */
final class LocalHost {

    private LocalHost() {
    }

    static String name() {
        // The kernel's own name for the host: no DNS lookup, which can stall on capture hosts.
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException notLinux) {
            // fall through
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env;
    }
}
