package dev.capstream.flink.examples;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The example jobs' argument errors: one line naming the problem, exit status 2; the usage only
 * on {@code --help} (exit status 0).
 */
final class BadArguments {

    static final int EXIT_BAD_ARGUMENTS = 2;

    private BadArguments() {
    }

    /** What {@code parse} makes of the arguments, or the process ends as the class doc says. */
    static <T> T exitOn(String usage, String[] args, Supplier<T> parse) {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println("usage: " + usage);
            System.exit(0);
        }
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            System.err.println("capstream example: " + e.getMessage());
            System.exit(EXIT_BAD_ARGUMENTS);
            throw e;
        }
    }
}
