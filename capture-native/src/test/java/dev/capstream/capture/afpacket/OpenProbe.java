package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;

/** Run in a child JVM with fewer privileges: prints what a user would see when opening a reader. */
public final class OpenProbe {

    private OpenProbe() {}

    public static void main(String[] args) {
        System.out.println("available=" + AfPacket.isAvailable());
        System.out.println("reason=" + AfPacket.unavailableReason());
        try {
            AfPacket.open(SplitAddress.AfPacket.of(args[0])).close();
            System.out.println("opened");
        } catch (CaptureException e) {
            System.out.println("error=" + e.getMessage());
        }
    }
}
