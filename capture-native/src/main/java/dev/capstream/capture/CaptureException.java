package dev.capstream.capture;

/** A capture reader could not be opened or failed while running. The message is meant for users. */
public class CaptureException extends RuntimeException {

    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
