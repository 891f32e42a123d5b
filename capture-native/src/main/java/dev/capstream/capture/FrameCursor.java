package dev.capstream.capture;

/**
 * Walks the frames of one block handed over by {@link SplitReader#poll}. The cursor itself is the
 * {@link Frame} of its current position; it starts before the first frame.
 */
public interface FrameCursor extends Frame {

    /** Moves to the next frame of the block; false when the block has no more. */
    boolean next();

    /** Number of frames in this block. */
    int frameCount();
}
