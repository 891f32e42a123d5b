package dev.capstream.flink.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the built job jar in a JVM of its own whose class path is the jar plus
 * what a Flink cluster provides (the module's provided dependencies) and nothing else, so a class
 * the jar forgot to bundle fails the run as it would under {@code flink run}. The main class runs
 * its job in Flink's local environment, with the JVM flags the README lists.
 */
final class JobJar implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JobJar(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static JobJar run(Path workDir, Class<?> mainClass, String... args) throws IOException {
        Path jar = Path.of(System.getProperty("capstream.examples.jar"));
        String provided = Files.readString(Path.of(System.getProperty("capstream.examples.classpath"))).strip();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", jar + java.io.File.pathSeparator + provided,
                mainClass.getName()));
        command.addAll(List.of(args));
        Path out = workDir.resolve(mainClass.getSimpleName() + ".out");
        Path err = workDir.resolve(mainClass.getSimpleName() + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new JobJar(process, out, err);
    }

    /** Waits for the JVM to exit; its status, or fails after {@code timeout} with its stderr. */
    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the job JVM did not exit within " + timeout + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    String stdout() throws IOException {
        return Files.readString(stdout);
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** Ends the JVM (its local cluster with it) and waits until it is gone. */
    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
