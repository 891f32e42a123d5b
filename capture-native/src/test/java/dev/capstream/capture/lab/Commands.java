package dev.capstream.capture.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs short external commands with a deadline; failures carry the command line and its stderr. */
final class Commands {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Commands() {}

    record Result(int exitCode, String stdout, String stderr) {}

    /** Runs the command; throws unless it exits with 0 in time. */
    static String run(String... command) {
        Result r = runAllowingFailure(command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("command '" + String.join(" ", command) + "' failed (exit "
                    + r.exitCode() + "): " + (r.stderr().isBlank() ? "no error output" : r.stderr().strip()));
        }
        return r.stdout();
    }

    static Result runAllowingFailure(String... command) {
        Path out = null;
        Path err = null;
        try {
            // Files, not pipes: a command that fills a pipe nobody reads yet would block past its deadline.
            out = Files.createTempFile("capstream-cmd", ".out");
            err = Files.createTempFile("capstream-cmd", ".err");
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("command '" + String.join(" ", command) + "' did not finish within "
                        + TIMEOUT.toSeconds() + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running '" + String.join(" ", command) + "'", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** The executable's absolute path, from PATH and the sbin directories (often missing from a user's PATH). */
    static Optional<Path> find(String executable) {
        String path = System.getenv().getOrDefault("PATH", "");
        List<String> dirs = new java.util.ArrayList<>(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
