package dev.capstream.capture.lab;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs code inside a named network namespace (one made by {@code ip netns add}). */
final class Namespaces {

    private Namespaces() {}

    /**
     * Calls {@code task} on a new platform thread that first moves itself into the namespace, and
     * then ends. setns(2) changes only the calling OS thread, so a thread of its own keeps the rest
     * of the JVM in its namespace; sockets the task creates stay in the lab's namespace for life.
     */
    static <T> T callIn(String namespace, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon(true).name("capstream-netns-" + namespace).unstarted(() -> {
            try {
                int nsFd = Libc.open("/run/netns/" + namespace, LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC);
                try {
                    Libc.setns(nsFd, LinuxConstants.CLONE_NEWNET, "netns " + namespace);
                } finally {
                    Libc.close(nsFd, null);
                }
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        thread.start();
        try {
            return result.get(Commands.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("task in netns " + namespace + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("task in netns " + namespace + " did not finish within "
                    + Commands.TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a task in netns " + namespace, e);
        }
    }
}
