package dev.capstream.spool;

/** The spool directory cannot be used; the message names it and the fix. */
public final class SpoolException extends RuntimeException {

    public SpoolException(String message) {
        super(message);
    }

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
