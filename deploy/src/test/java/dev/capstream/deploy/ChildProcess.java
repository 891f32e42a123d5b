package dev.capstream.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process with stdout and stderr collected in files, so a test can watch them while it runs. */
final class ChildProcess implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final Path out;
    private final Path err;

    private ChildProcess(List<String> command, Process process, Path out, Path err) {
        this.command = command;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static ChildProcess start(List<String> command, Map<String, String> environment) throws IOException {
        Path out = Files.createTempFile("capstream-out", ".txt");
        Path err = Files.createTempFile("capstream-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(environment);
        return new ChildProcess(List.copyOf(command), pb.start(), out, err);
    }

    /** Runs to the end (at most {@code seconds}) and returns the exit code. */
    static ChildProcess run(List<String> command, Map<String, String> environment, int seconds)
            throws IOException, InterruptedException {
        ChildProcess child = start(command, environment);
        child.awaitExit(seconds);
        return child;
    }

    void awaitStderr(String text, int seconds) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!stderr().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError(this + " exited (" + process.exitValue() + ") before printing '" + text
                        + "':\n" + stderr() + stdout());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(this + " printed no '" + text + "' within " + seconds + " s:\n" + stderr());
            }
            Thread.sleep(50);
        }
    }

    int awaitExit(int seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError(this + " did not exit within " + seconds + " s:\n" + stderr());
        }
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** The key=value summary line capture prints last on stdout. */
    Map<String, String> summary() throws IOException {
        List<String> lines = stdout().lines().filter(l -> l.startsWith("result=")).toList();
        if (lines.isEmpty()) {
            throw new AssertionError("no summary line on stdout of " + this + ":\n" + stdout() + "\nstderr:\n" + stderr());
        }
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String pair : lines.getLast().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return fields;
    }

    @Override
    public void close() throws IOException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }
}
