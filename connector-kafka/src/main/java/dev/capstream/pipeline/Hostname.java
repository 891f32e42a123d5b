package dev.capstream.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The capture host's name, as every host of the pipeline stamps it on records and partitions. */
public final class Hostname {

    private Hostname() {}

    public static String get() {
        // The kernel's own name for the host: no DNS lookup, which can stall on capture hosts.
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException ignored) {
            // not Linux /proc: fall through
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env;
    }
}
