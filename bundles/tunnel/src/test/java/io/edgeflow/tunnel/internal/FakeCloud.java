package io.edgeflow.tunnel.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import io.edgeflow.api.cloud.CloudEndpoint;

/**
 * A cloud that misbehaves on purpose, to see how the agent copes: a plain WebSocket server (Jetty, no
 * TLS) whose behaviour each test scripts. It records every frame the agent sends.
 */
final class FakeCloud implements CloudEndpoint, AutoCloseable {
    /** What the fake does with a frame from the agent: (session, frame text). */
    private final BiConsumer<Session, String> onFrame;
    private final String hello;
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final List<Session> sessions = new CopyOnWriteArrayList<>();
    /** The close codes the agent sent, in order. */
    final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    private final Server server;
    private final ServerConnector connector;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /**
     * @param protocol the sub-protocol to accept, or null to accept none
     * @param hello the first frame sent on each connection, or null for none
     * @param onFrame what to do with each frame the agent sends
     */
    FakeCloud(String protocol, String hello, BiConsumer<Session, String> onFrame) throws Exception {
        this.onFrame = onFrame;
        this.hello = hello;
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ofSeconds(30));
            container.addMapping(Protocol.PATH, (request, response, callback) -> {
                if (protocol != null) {
                    response.setAcceptedSubProtocol(protocol);
                }
                return new Endpoint();
            });
        }));
        server.start();
    }

    /** One connection of the agent; public for Jetty, which calls it by reflection. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            sessions.add(s);
            connections.incrementAndGet();
            if (hello != null) {
                sendText(s, hello);
            }
        }

        @Override
        public void onWebSocketText(String text) {
            received.add(text);
            onFrame.accept(session, text);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeCodes.add(statusCode);
        }
    }

    /** @return the newest open connection, or null */
    Session latest() {
        for (int i = sessions.size() - 1; i >= 0; i--) {
            Session s = sessions.get(i);
            if (s.isOpen()) {
                return s;
            }
        }
        return null;
    }

    /** Answers a heartbeat frame as the real cloud does. */
    static void ack(Session session, String frame) {
        if (frame.contains("\"type\":\"heartbeat\"")) {
            String seq = frame.replaceAll(".*\"seq\":(\\d+).*", "$1");
            sendText(session, "{\"type\":\"heartbeat_ack\",\"seq\":" + seq + "}");
        }
    }

    static String hello(int protocol, long heartbeatTimeoutSeconds) {
        return "{\"type\":\"hello\",\"protocol\":" + protocol + ",\"device_id\":\"dev_fake\",\"heartbeat_timeout_seconds\":"
                + heartbeatTimeoutSeconds + ",\"max_body_bytes\":1048576}";
    }

    void sendToAll(String text) {
        for (Session s : sessions) {
            if (s.isOpen()) {
                sendText(s, text);
            }
        }
    }

    /**
     * Sends one text frame and waits until Jetty has written it. Jetty refuses a send while another is pending on
     * the session (WritePendingException, passed to the callback): sent with Callback.NOOP, a frame the test sends
     * while a heartbeat ack is being written was lost without a trace, and the test waited for its effect in vain.
     */
    static void sendText(Session session, String text) {
        send(session, sent -> session.sendText(text, sent));
    }

    /** Sends one binary frame and waits until Jetty has written it, as {@link #sendText}. */
    static void sendBinary(Session session, ByteBuffer bytes) {
        send(session, sent -> session.sendBinary(bytes, sent));
    }

    private static void send(Session session, Consumer<Callback> frame) {
        synchronized (session) {
            Callback.Completable sent = new Callback.Completable();
            frame.accept(sent);
            try {
                sent.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                // the agent closed the connection meanwhile (what several tests provoke): nothing to deliver
            }
        }
    }

    void sendBinaryToAll() {
        for (Session s : sessions) {
            if (s.isOpen()) {
                sendBinary(s, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            }
        }
    }

    List<String> receivedOfType(String type) {
        return received.stream().filter(f -> f.contains("\"type\":\"" + type + "\"")).toList();
    }

    @Override
    public URI baseUri() {
        return URI.create("https://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public URI webSocketUri(String path) {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + path);
    }

    @Override
    public String displayUrl() {
        return "fake:" + connector.getLocalPort();
    }

    @Override
    public HttpClient httpClient() {
        return client;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
