package dev.capstream.connect;

import java.util.AbstractMap;
import java.util.Set;

/**
 * A record's source offset, {@code {sequence, drops}}, as an immutable two-entry map that holds the
 * longs unboxed. The worker keeps every record's offset map until the record is acknowledged but
 * serializes only the newest committable one per partition (at offset commit, through
 * {@code entrySet()}), so boxing on read instead of per record spares the map's array and two
 * {@code Long}s for nearly every record at high rates. Equal to, and hashing as, any map with the
 * same entries.
 */
final class SourceOffset extends AbstractMap<String, Object> {

    static final String SEQUENCE = "sequence";
    static final String DROPS = "drops";

    private final long sequence;
    private final long drops;

    SourceOffset(long sequence, long drops) {
        this.sequence = sequence;
        this.drops = drops;
    }

    @Override
    public Object get(Object key) {
        if (SEQUENCE.equals(key)) {
            return sequence;
        }
        return DROPS.equals(key) ? drops : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return SEQUENCE.equals(key) || DROPS.equals(key);
    }

    @Override
    public int size() {
        return 2;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return Set.of(new SimpleImmutableEntry<>(SEQUENCE, sequence), new SimpleImmutableEntry<>(DROPS, drops));
    }
}
