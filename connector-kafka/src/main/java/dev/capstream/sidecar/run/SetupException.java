package dev.capstream.sidecar.run;

/**
 * A problem with the setup that the user must fix before anything can run: an option, the
 * interface, privileges, the registry or the broker. The command line exits with
 * {@link ExitStatus#SETUP} and shows the message alone.
 */
public final class SetupException extends RuntimeException {

    public SetupException(String message) {
        super(message);
    }

    public SetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
