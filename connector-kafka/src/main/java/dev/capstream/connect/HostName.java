package dev.capstream.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The name of the host a task captures on, as its records and source partitions carry it. */
final class HostName {

    private HostName() {}

    static String get() {
        // The kernel's name for the host: no DNS lookup, which can stall on a capture host.
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException ignored) {
            // not Linux: fall through
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env;
    }
}
