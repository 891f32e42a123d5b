package dev.capstream.sidecar.run;

/**
 * The exit statuses of a sidecar process, here rather than in the command line because a run
 * signalled to stop ends the process itself, with the status its outcome earned.
 */
public final class ExitStatus {

    /** Done: the summary line says what was captured and delivered. */
    public static final int OK = 0;
    /** Failed while running: the message says why; the summary line still accounts for every frame. */
    public static final int RUNTIME_FAILURE = 1;
    /** Bad usage or setup: an option, the interface, privileges, the registry or the broker. */
    public static final int SETUP = 2;
    /**
     * Partial: the run ended as asked, but some frames or records did not make it (the broker
     * rejected or never acknowledged them, or export could not decode them). The summary line
     * says {@code result=partial} and how many; one line on stderr says why.
     */
    public static final int PARTIAL = 3;

    private ExitStatus() {
    }

    /** What a user is shown for a failure: its message, or its type when it has none. */
    public static String userMessage(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
