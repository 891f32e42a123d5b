package dev.capstream.deploy;

import dev.capstream.capture.lab.VethLab;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes the test's broker at 127.0.0.1:PORT reachable from inside a lab's network namespace at the
 * same 127.0.0.1:PORT, so a container given that namespace reaches Kafka over its loopback and the
 * veth pair carries only the test's frames. The listening socket is opened inside the namespace
 * (a socket keeps its namespace for life); each connection is relayed to the broker from here. The
 * same port on both sides matters: the broker advertises 127.0.0.1:PORT to its clients.
 */
final class NamespaceRelay implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private NamespaceRelay(ServerSocket server, int port) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon(true).name("relay-" + port).start(() -> acceptLoop(port));
    }

    static NamespaceRelay open(VethLab lab, int port) {
        ServerSocket server = lab.callInNamespace(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return s;
        });
        return new NamespaceRelay(server, port);
    }

    private void acceptLoop(int port) {
        while (!server.isClosed()) {
            try {
                Socket inside = server.accept();
                Socket broker = new Socket("127.0.0.1", port);
                sockets.add(inside);
                sockets.add(broker);
                pump(inside, broker);
                pump(broker, inside);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ended) {
                // one side closed: the other follows below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(NamespaceRelay::closeQuietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
