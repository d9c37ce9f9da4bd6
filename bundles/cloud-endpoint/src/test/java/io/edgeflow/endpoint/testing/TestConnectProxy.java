package io.edgeflow.endpoint.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP CONNECT proxy on loopback, optionally wanting Basic authentication (refusing others with 407, or
 * with 401 as some proxies do); it records each request head. Targets may be IPv6 literals ({@code [::1]:443}).
 * Shared through this module's test-jar by provisioning's tests and the itests (whose probe gets it from
 * EdgeFlowRuntime.testConnectProxyBundle()).
 */
public final class TestConnectProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String expectedAuthorization;
    private final int refusal;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    public final List<String> heads = new CopyOnWriteArrayList<>();

    /** @param expectedAuthorization the Proxy-Authorization value wanted, or null for none */
    public TestConnectProxy(String expectedAuthorization) throws IOException {
        this(expectedAuthorization, 407);
    }

    /**
     * @param expectedAuthorization the Proxy-Authorization value wanted, or null for none
     * @param refusal the status answered to other credentials: 407, or 401 as some proxies do
     */
    public TestConnectProxy(String expectedAuthorization, int refusal) throws IOException {
        this.expectedAuthorization = expectedAuthorization;
        this.refusal = refusal;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            String head = readHead(client.getInputStream());
            heads.add(head);
            String[] line = head.split("\r\n")[0].split(" ");
            OutputStream out = client.getOutputStream();
            if (!line[0].equals("CONNECT")) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (expectedAuthorization != null && !head.contains("\r\nProxy-Authorization: " + expectedAuthorization
                    + "\r\n")) {
                out.write((refusal == 401
                        ? "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\n"
                        : "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n")
                        .concat("Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            int colon = line[1].lastIndexOf(':');
            String host = line[1].substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try (Socket upstream = new Socket(host, Integer.parseInt(line[1].substring(colon + 1)))) {
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                threads.execute(() -> pump(upstream, client));
                pump(client, upstream);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
