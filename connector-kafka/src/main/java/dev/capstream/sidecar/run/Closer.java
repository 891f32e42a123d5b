package dev.capstream.sidecar.run;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a run has opened so far (readers, broker, sink, metrics endpoint), closed in the reverse
 * order at its end whatever happened; a failure to close one does not keep the others open.
 */
final class Closer {

    private final Deque<Runnable> opened = new ArrayDeque<>();

    void add(Runnable close) {
        opened.push(close);
    }

    /** Closes everything added, last first; rethrows the first failure once all are closed. */
    void closeAll() {
        RuntimeException first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
