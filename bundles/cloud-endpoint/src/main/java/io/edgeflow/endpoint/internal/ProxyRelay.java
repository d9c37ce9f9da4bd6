package io.edgeflow.endpoint.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.edgeflow.api.cloud.ProxyRefusal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets {@code HttpClient} reach the cloud through a proxy that wants Basic authentication, or through any
 * proxy when the cloud's address is an IPv6 literal ({@link #tunnellingTo}).
 * <p>
 * The JDK never sends Basic credentials on a CONNECT tunnel unless the JVM-wide net property
 * {@code jdk.http.auth.tunneling.disabledSchemes} is cleared, and it reads that property once, when its
 * HTTP client classes load: a bundle cannot set it reliably, and should not weaken it for every other
 * user of the JVM. So the client is given this relay, on a loopback port, as an unauthenticated proxy; the
 * relay accepts only {@code CONNECT} to the cloud's own host and port, opens the tunnel through the real
 * proxy with {@code Proxy-Authorization: Basic}, answers the client with the proxy's status line, and then
 * copies bytes both ways. TLS runs end to end through it: the relay sees only ciphertext.
 */
final class ProxyRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyRelay.class);
    private static final int MAX_HEAD = 8 * 1024;

    private final ProxySettings proxy;
    private final String allowedTarget;
    /** True: clients speak TLS to the cloud at once (no CONNECT of theirs); the relay opens the tunnel for them. */
    private final boolean transparent;
    private final Duration connectTimeout;
    private final ExecutorService executor;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile String lastFailure;

    /**
     * Opens the relay's loopback port and starts accepting.
     *
     * @param proxy the real proxy, with its credentials
     * @param cloudAuthority {@code host:port} of the cloud, the only CONNECT target allowed
     * @param connectTimeout for connections to the proxy
     * @throws IOException if no loopback port can be opened
     */
    ProxyRelay(ProxySettings proxy, String cloudAuthority, Duration connectTimeout) throws IOException {
        this(proxy, cloudAuthority, connectTimeout, false);
    }

    /**
     * A relay that clients connect to as if it were the cloud: each connection is tunnelled through the proxy
     * to the cloud (with the proxy's credentials, if any) and the client's TLS runs through it. For an IPv6
     * cloud address, which the JDK's {@code HttpClient} cannot tunnel through a proxy itself: it turns the
     * bracketed literal into a TLS server name and fails ("Contains non-LDH ASCII characters"). The client
     * must then verify the cloud's certificate for the cloud's address, not the relay's
     * ({@link CloudTrust#sslContext(List, java.time.Clock, String)}).
     *
     * @param proxy the proxy
     * @param cloudAuthority {@code [v6]:port} of the cloud
     * @param connectTimeout for connections to the proxy
     * @return the running relay
     * @throws IOException if no loopback port can be opened
     */
    static ProxyRelay tunnellingTo(ProxySettings proxy, String cloudAuthority, Duration connectTimeout)
            throws IOException {
        return new ProxyRelay(proxy, cloudAuthority, connectTimeout, true);
    }

    private ProxyRelay(ProxySettings proxy, String cloudAuthority, Duration connectTimeout, boolean transparent)
            throws IOException {
        this.proxy = proxy;
        this.transparent = transparent;
        this.allowedTarget = cloudAuthority.toLowerCase(Locale.ROOT);
        this.connectTimeout = connectTimeout;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // its own threads: one accepting, two per open tunnel (a tunnel lives as long as a TLS connection)
        AtomicInteger count = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "edgeflow-proxy-relay-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.execute(this::acceptLoop);
    }

    /** @return the relay's loopback address, to give {@code HttpClient} as its proxy */
    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** @return the last failure to open a tunnel through the proxy (a status line), or null */
    String lastFailure() {
        return lastFailure;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Proxy relay stopped accepting: {}", e.getMessage());
                }
                return;
            }
            open.add(client);
            try {
                executor.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                closeQuietly(client);
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            client.setSoTimeout((int) Math.max(1000, connectTimeout.toMillis()));
            String[] requestLine;
            if (transparent) {
                requestLine = new String[] {"CONNECT", allowedTarget, "HTTP/1.1"};
            } else {
                String head = readHead(client.getInputStream());
                requestLine = head.split("\r\n", 2)[0].split(" ");
                if (requestLine.length < 3 || !requestLine[0].equals("CONNECT")
                        || !requestLine[1].toLowerCase(Locale.ROOT).equals(allowedTarget)) {
                    respond(client, "HTTP/1.1 403 Forbidden");
                    return;
                }
            }
            upstream = new Socket();
            open.add(upstream);
            upstream.connect(new InetSocketAddress(proxy.host(), proxy.port()), (int) connectTimeout.toMillis());
            upstream.setSoTimeout((int) Math.max(1000, connectTimeout.toMillis()));
            String connect = "CONNECT " + requestLine[1] + " HTTP/1.1\r\nHost: " + requestLine[1] + "\r\n"
                    + (proxy.authenticates() ? "Proxy-Authorization: " + proxy.basicAuthorization() + "\r\n" : "")
                    + "\r\n";
            OutputStream toProxy = upstream.getOutputStream();
            toProxy.write(connect.getBytes(StandardCharsets.ISO_8859_1));
            toProxy.flush();
            String answer = readHead(upstream.getInputStream());
            String statusLine = answer.split("\r\n", 2)[0];
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[1].equals("200")) {
                lastFailure = statusLine;
                LOG.warn("The proxy {} refused the tunnel to {}: {}", proxy.describe(), requestLine[1],
                        parts.length >= 2 && parts[1].matches("\\d{3}") ? ProxyRefusal.describe(Integer.parseInt(parts[1]))
                                : statusLine.replaceAll("\\p{Cntrl}", "?"));
                if (transparent) {
                    closeQuietly(client); // its TLS handshake fails; lastFailure() and the log say why
                } else {
                    respond(client, statusLine.isEmpty() ? "HTTP/1.1 502 Bad Gateway" : statusLine);
                }
                return;
            }
            lastFailure = null;
            if (!transparent) {
                respond(client, "HTTP/1.1 200 Connection established");
            }
            client.setSoTimeout(0);
            upstream.setSoTimeout(0);
            Socket up = upstream;
            upstream = null; // handed over to the copying threads
            executor.execute(() -> copy(up, client));
            copy(client, up);
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                lastFailure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                LOG.debug("Proxy relay connection failed: {}", lastFailure);
            }
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    private void respond(Socket client, String statusLine) throws IOException {
        String response = statusLine + "\r\nContent-Length: 0\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (!statusLine.contains(" 200 ")) {
            closeQuietly(client);
        }
    }

    /** Copies until either side ends, then closes both. */
    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0;) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: the tunnel ends
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Reads an HTTP head up to the blank line, byte by byte, so that nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new SocketException("the connection closed before the end of the HTTP head");
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new IOException("HTTP head over " + MAX_HEAD + " bytes");
            }
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Stops accepting, closes every connection and ends the relay's threads. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
