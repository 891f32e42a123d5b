package dev.capstream.capture.xdp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** What {@code ip link show} says about an interface's XDP program: what a user would check. */
final class XdpLinks {

    private XdpLinks() {}

    /** Whether {@code ip link show dev IF} lists an XDP program (native or generic). */
    static boolean attached(String iface) {
        return show(iface).contains("prog/xdp");
    }

    /** Waits up to {@code millis} for the program to be gone; true when it is. */
    static boolean detachedWithin(String iface, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (!attached(iface)) {
                return true;
            }
            Thread.sleep(50);
        }
        return !attached(iface);
    }

    static String show(String iface) {
        try {
            Process p = new ProcessBuilder("ip", "link", "show", "dev", iface).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("ip link show " + iface + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
