package dev.capstream.sidecar.run;

import dev.capstream.pipeline.StopSignal;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM/SIGINT during a run: stop capturing, let the run's own thread flush and print the
 * summary, then end the process with the run's exit status (0, or 3 when frames failed) rather
 * than the JVM's 143/130.
 */
final class SignalExit {

    private final StopSignal stop;
    private final long waitMillis;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "capstream-shutdown");
    private volatile int exitStatus = ExitStatus.OK;

    /** @param waitMillis how long a signalled process waits for the run to account for its frames */
    SignalExit(StopSignal stop, long waitMillis, PrintWriter out, PrintWriter err) {
        this.stop = stop;
        this.waitMillis = waitMillis;
        this.out = out;
        this.err = err;
    }

    /** From now on a signal stops the run instead of ending the process at once. */
    void arm() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The status a signalled process ends with, once the run has decided it. */
    void exitWith(int status) {
        exitStatus = status;
    }

    /** The run has accounted for everything: a waiting signal handler may end the process now. */
    void runFinished() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
            // the hook is running (we were signalled) or was never added: nothing to undo
        }
    }

    private void onSignal() {
        stop.requestStop();
        try {
            finished.await(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
        err.flush();
        Runtime.getRuntime().halt(exitStatus);
    }
}
