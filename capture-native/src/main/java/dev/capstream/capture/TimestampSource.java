package dev.capstream.capture;

/** The clock a frame's timestamp came from. */
public enum TimestampSource {
    /** The kernel's software receive timestamp (nanosecond resolution). */
    SOFTWARE,
    /** A NIC hardware timestamp (raw PHC time). */
    HARDWARE,
    /** Taken in user space when the frame was read (for sources that give none). */
    USER_SPACE,
    /** Read from a capture file. */
    FILE
}
