package dev.capstream.sidecar.run;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import java.util.function.Supplier;

/**
 * A bounded split read again from the start each time it ends, {@code loops} times in all (0: until
 * stopped), like {@code tcpreplay --loop}: for replaying a file as a steady source. Statistics add
 * up over the passes.
 */
public final class RepeatingSplitReader implements SplitReader {

    private final Supplier<SplitReader> opener;
    private final long loops;
    private SplitReader current;
    private long passesStarted = 1;
    private CaptureStats earlierPasses = CaptureStats.EMPTY;

    public RepeatingSplitReader(Supplier<SplitReader> opener, long loops) {
        this.opener = opener;
        this.loops = loops;
        this.current = opener.get();
    }

    @Override
    public FrameCursor poll(long timeoutMillis) {
        FrameCursor block = current.poll(timeoutMillis);
        if (block == null && current.finished() && morePasses()) {
            CaptureStats done = current.stats();
            current.close();
            earlierPasses = earlierPasses.plus(done);
            current = opener.get();
            passesStarted++;
            block = current.poll(timeoutMillis);
        }
        return block;
    }

    private boolean morePasses() {
        return loops == 0 || passesStarted < loops;
    }

    @Override
    public boolean isBounded() {
        return loops != 0;
    }

    @Override
    public boolean finished() {
        return current.finished() && !morePasses();
    }

    @Override
    public void release() {
        current.release();
    }

    @Override
    public CaptureStats stats() {
        return earlierPasses.plus(current.stats());
    }

    @Override
    public SplitAddress address() {
        return current.address();
    }

    @Override
    public String interfaceName() {
        return current.interfaceName();
    }

    @Override
    public int interfaceIndex() {
        return current.interfaceIndex();
    }

    @Override
    public int linkType() {
        return current.linkType();
    }

    @Override
    public String interfaceName(int interfaceIndex) {
        return current.interfaceName(interfaceIndex);
    }

    @Override
    public int linkType(int interfaceIndex) {
        return current.linkType(interfaceIndex);
    }

    @Override
    public void close() {
        current.close();
    }
}
