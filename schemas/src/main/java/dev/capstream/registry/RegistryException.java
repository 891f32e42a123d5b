package dev.capstream.registry;

/**
 * A schema registry request that failed: the registry was unreachable, too slow, or answered with
 * an error. The message names the registry URL and, when the registry gave them, its
 * {@code error_code} and {@code message}.
 */
public class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Value of {@link #status()} and {@link #errorCode()} when there was no answer to take it from. */
    public static final int NONE = -1;

    private final int status;
    private final int errorCode;

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = NONE;
        this.errorCode = NONE;
    }

    public RegistryException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status the registry answered with, or {@link #NONE}. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code} (e.g. 40403, 409), or {@link #NONE}. */
    public int errorCode() {
        return errorCode;
    }
}
