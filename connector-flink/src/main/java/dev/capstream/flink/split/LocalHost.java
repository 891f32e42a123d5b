package dev.capstream.flink.split;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This machine's name: stamped on records of file splits (which have no host), and the host of a
 * reader whose task manager reports no location (one that shares the job manager's RPC service,
 * as in a local MiniCluster, so runs on this machine).
 */
public final class LocalHost {

    private LocalHost() {
    }

    public static String name() {
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
