package dev.capstream.capture.xdp;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;

/**
 * A child JVM for the tests that need a process of their own: opens an afxdp: split on the interface
 * in args[0], prints {@code ready} (or {@code error=MESSAGE} and exits 3), then holds the reader
 * until killed or for at most 60 s. Prints {@code available=} and {@code reason=} of the gate first.
 */
public final class XdpHolderMain {

    private XdpHolderMain() {}

    public static void main(String[] args) throws InterruptedException {
        String reason = AfXdp.unavailableReason();
        System.out.println("available=" + (reason == null));
        System.out.println("reason=" + reason);
        try (SplitReader reader = AfXdp.open(new SplitAddress.AfXdp(args[0], 0))) {
            System.out.println("ready " + reader.address());
            System.out.flush();
            Thread.sleep(60_000);
        } catch (RuntimeException e) {
            System.out.println("error=" + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
