package io.edgeflow.tunnel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An HTTP proxy on loopback that refuses every CONNECT with one status line; it records the request lines. */
final class RefusingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String statusLine;
    private final Thread thread;
    final List<String> requests = new CopyOnWriteArrayList<>();

    /** @param statusLine for example {@code HTTP/1.1 401 Unauthorized} */
    RefusingProxy(String statusLine) throws IOException {
        this.statusLine = statusLine;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::accept, "proxy-refusing");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private void accept() {
        while (!server.isClosed()) {
            try (Socket client = server.accept()) {
                InputStream in = client.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    head.append((char) b);
                }
                requests.add(head.toString().split("\r\n", 2)[0]);
                OutputStream out = client.getOutputStream();
                out.write((statusLine + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the client went away, or the proxy is closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
