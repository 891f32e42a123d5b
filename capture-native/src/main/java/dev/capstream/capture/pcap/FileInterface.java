package dev.capstream.capture.pcap;

/**
 * One interface of a capture file, with the resolution its timestamps are counted in.
 *
 * @param index the interface's index among all interfaces of the file (sections numbered on), which
 *     is what frames report as their {@code interfaceIndex()}
 * @param name {@code if_name}, or a name made from the file's name when the file gives none
 * @param linkType the pcap LINKTYPE of its frames
 * @param snapLength the largest captured length it declares (0: none)
 * @param resolution how timestamp units convert to nanoseconds
 * @param offsetSeconds {@code if_tsoffset}: seconds added to every timestamp
 */
record FileInterface(int index, String name, int linkType, long snapLength, Resolution resolution,
        long offsetSeconds) {

    /**
     * Units per second: {@code 10^exponent} when decimal, {@code 2^exponent} when binary
     * (pcapng's {@code if_tsresol}; classic pcap is decimal 6 or 9).
     */
    record Resolution(boolean binary, int exponent) {

        static final Resolution MICROS = new Resolution(false, 6);
        static final Resolution NANOS = new Resolution(false, 9);

        private static final long NANOS_PER_SECOND = 1_000_000_000L;
        private static final long[] POWERS_OF_TEN = powersOfTen();

        /** From the {@code if_tsresol} byte: high bit set = power of two, else power of ten. */
        static Resolution fromTsresol(int value) {
            return new Resolution((value & 0x80) != 0, value & 0x7F);
        }

        /** Whether {@link #toNanos} can convert this resolution; 2^-64 and finer cannot. */
        boolean supported() {
            return !binary || exponent < 64;
        }

        /**
         * Converts a count of units (unsigned) into nanoseconds, truncating.
         *
         * @throws ArithmeticException when the instant does not fit in a long of nanoseconds (after 2262)
         */
        long toNanos(long units) {
            if (units < 0) {
                throw new ArithmeticException("timestamp beyond 2^63 units");
            }
            if (!binary) {
                if (exponent <= 9) {
                    return Math.multiplyExact(units, POWERS_OF_TEN[9 - exponent]);
                }
                int down = exponent - 9;
                return down >= POWERS_OF_TEN.length ? 0 : units / POWERS_OF_TEN[down];
            }
            if (exponent == 0) {
                return Math.multiplyExact(units, NANOS_PER_SECOND);
            }
            long seconds = units >>> exponent;
            long fraction = units & ((1L << exponent) - 1);
            long fractionNanos;
            if (exponent <= 33) {
                fractionNanos = (fraction * NANOS_PER_SECOND) >>> exponent;
            } else {
                long high = Math.multiplyHigh(fraction, NANOS_PER_SECOND);
                long low = fraction * NANOS_PER_SECOND;
                fractionNanos = (high << (64 - exponent)) | (low >>> exponent);
            }
            return Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), fractionNanos);
        }

        private static long[] powersOfTen() {
            long[] p = new long[19];
            p[0] = 1;
            for (int i = 1; i < p.length; i++) {
                p[i] = p[i - 1] * 10;
            }
            return p;
        }

        @Override
        public String toString() {
            return (binary ? "2^-" : "10^-") + exponent + " s";
        }
    }
}
