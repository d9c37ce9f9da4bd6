package io.edgeflow.tunnel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between the agent and the cloud that a test can break: {@link #dropAll()} resets every
 * connection (a crashed NAT, a cable pulled and the peer gone), {@link #blackholeAll()} keeps every
 * connection open but stops forwarding in both directions (a half-open connection: nothing arrives,
 * nothing fails). New connections are forwarded normally.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean blackholed;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(InputStream in, OutputStream out) {
            byte[] buffer = new byte[16 * 1024];
            try {
                for (int n; (n = in.read(buffer)) > 0;) {
                    if (!blackholed) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                if (!blackholed) {
                    close();
                }
            }
        }

        void close() {
            links.remove(this);
            quietly(client);
            quietly(upstream);
        }

        void reset() {
            links.remove(this);
            try {
                client.setSoLinger(true, 0);
                upstream.setSoLinger(true, 0);
            } catch (IOException e) {
                // closing anyway
            }
            close();
        }
    }

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "proxy-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** @return connections accepted so far */
    int accepted() {
        return accepted.get();
    }

    /** @return connections open now (blackholed ones included) */
    int open() {
        return links.size();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket();
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                } catch (IOException e) {
                    quietly(client);
                    continue;
                }
                accepted.incrementAndGet();
                Link link = new Link(client, upstream);
                links.add(link);
                start(() -> link.pump(client.getInputStream(), upstream.getOutputStream()), "proxy-up");
                start(() -> link.pump(upstream.getInputStream(), client.getOutputStream()), "proxy-down");
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
            }
        }
    }

    @FunctionalInterface
    private interface Pump {
        void run() throws IOException;
    }

    private static void start(Pump pump, String name) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException e) {
                // the link closes
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** Resets every open connection (RST on both sides). */
    void dropAll() {
        for (Link link : List.copyOf(links)) {
            link.reset();
        }
    }

    /** Stops forwarding on every open connection, leaving it open: neither side notices anything. */
    void blackholeAll() {
        for (Link link : links) {
            link.blackholed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        quietly(server);
        for (Link link : List.copyOf(links)) {
            link.close();
        }
    }

    private static void quietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing
        }
    }
}
