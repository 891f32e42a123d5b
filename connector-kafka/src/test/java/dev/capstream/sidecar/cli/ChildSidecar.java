package dev.capstream.sidecar.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code capstream capture} in a child JVM, as a user runs it: stopped with SIGTERM, or killed with
 * SIGKILL (kill -9) to leave a spool behind the way a crash does. Its stdout and stderr go to files.
 */
final class ChildSidecar implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private ChildSidecar(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static ChildSidecar start(Path logDir, String name, List<String> args) throws IOException {
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.capstream.avro", "-cp", classPath,
                Main.class.getName(), "capture"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new ChildSidecar(p, out, err);
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until stderr has a line containing {@code text}. */
    void awaitStderr(String text, long seconds) throws InterruptedException {
        awaitStats(l -> l.contains(text), seconds, "a line with '" + text + "'");
    }

    /** Waits until a stderr line satisfies {@code test}; returns it. */
    String awaitStats(Predicate<String> test, long seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String match = stderr().lines().filter(test).reduce((a, b) -> b).orElse(null);
            if (match != null) {
                return match;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + seconds + " s (alive=" + process.isAlive()
                        + "); stderr:\n" + tail(stderr()));
            }
            Thread.sleep(200);
        }
    }

    /** The last stats line, parsed. */
    SummaryLine lastStats() {
        return SummaryLine.find(stderr(), "stats ");
    }

    /** SIGTERM, then the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("capture did not stop within 60 s of SIGTERM; stderr:\n" + tail(stderr()));
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, nothing closed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
