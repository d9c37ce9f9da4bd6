package io.edgeflow.tunnel.internal;

import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One WebSocket connection: the JDK calls the listener methods one at a time on the HTTP client's
 * threads; they hand complete frames to the scheduler thread. Fields without {@code volatile} belong
 * to the scheduler thread.
 */
final class TunnelConnection implements WebSocket.Listener {
    final long number;
    private final StringBuilder partial = new StringBuilder();
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    /** The close frame on its way and the cloud's answer, if this side closes; see {@link #closeWith}. */
    private volatile CompletableFuture<?> closing;
    /** Completed when the cloud's close frame arrives or the connection fails. */
    private final CompletableFuture<Void> peerClosed = new CompletableFuture<>();
    /** Set when this side closes: what still arrives is read and dropped. */
    private volatile boolean discarding;
    volatile WebSocket ws;
    volatile boolean dead;
    boolean helloSeen;
    Instant connectedSince;
    Duration interval;
    long seq;
    long outstanding;
    /** When the outstanding heartbeat left, by the local clock: its answer's server_time gives the skew. */
    Instant outstandingSentAt;
    long onlineSince;
    ScheduledFuture<?> heartbeats;
    ScheduledFuture<?> openTimeout;

    /** What the connection tells the tunnel client; each call but {@link #post} on the scheduler thread. */
    interface Events {
        /** @return false if the scheduler stopped */
        boolean post(Runnable task);

        void frame(TunnelConnection c, String text);

        void binary(TunnelConnection c);

        void closedByCloud(TunnelConnection c, int code, String reason);

        /** The connection broke (retried with the backoff). */
        void broken(TunnelConnection c, String code, String message);
    }

    private final TunnelSettings settings;
    private final Events events;

    TunnelConnection(long number, TunnelSettings settings, Events events) {
        this.number = number;
        this.settings = settings;
        this.events = events;
        this.interval = settings.heartbeatInterval();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        ws = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (discarding) {
            webSocket.request(1); // closing: read on, so that the cloud can send its close frame
            return null;
        }
        if (partial.length() + data.length() > settings.maxFrameChars()) {
            partial.setLength(0);
            // as docs/protocol.md says: close 4413 (the JDK's client may not send 1009), then a new connection
            discarding = true;
            closeWith(Protocol.CLOSE_TOO_BIG, "message too big (limit " + settings.maxFrameChars()
                    + " characters)");
            events.post(() -> events.broken(this, TunnelClient.PROTOCOL_ERROR, "The cloud sent a frame larger "
                    + "than " + settings.maxFrameChars() + " characters."));
            webSocket.request(1);
            return null;
        }
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            events.post(() -> events.frame(this, text));
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
        if (last && !discarding) {
            events.post(() -> events.binary(this));
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        peerClosed.complete(null);
        events.post(() -> events.closedByCloud(this, statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        peerClosed.complete(null);
        events.post(() -> events.broken(this, TunnelClient.CONNECTION_LOST, "The tunnel broke: "
                + describe(error)));
    }

    /** Sends a text frame after the ones before it (the JDK allows one outstanding send). */
    synchronized void send(String text) {
        WebSocket socket = ws;
        if (socket == null || dead) {
            return;
        }
        sending = sending.handle((ignored, e) -> null)
                .thenCompose(ignored -> dead ? CompletableFuture.completedFuture(null) : socket.sendText(text, true))
                .whenComplete((ignored, e) -> {
                    if (e != null && !dead) {
                        events.post(() -> events.broken(this, TunnelClient.CONNECTION_LOST,
                                "Sending on the tunnel failed: " + describe(e)));
                    }
                });
    }

    /**
     * Sends a close frame after the frames already queued; {@link #abort()} then waits for the cloud's
     * close frame (at most a second) before it drops the connection, so that the cloud learns why.
     */
    synchronized void closeWith(int code, String reason) {
        WebSocket socket = ws;
        if (socket == null || dead || closing != null) {
            return;
        }
        closing = sending.handle((ignored, e) -> null)
                .thenCompose(ignored -> socket.sendClose(code, reason))
                .thenCompose(ignored -> peerClosed)
                .toCompletableFuture();
    }

    void stopTimers() {
        dead = true;
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        if (openTimeout != null) {
            openTimeout.cancel(false);
        }
    }

    void abort() {
        dead = true;
        WebSocket socket = ws;
        if (socket == null) {
            return;
        }
        CompletableFuture<?> close = closing;
        if (close == null) {
            socket.abort();
        } else {
            close.orTimeout(1, TimeUnit.SECONDS).whenComplete((ignored, e) -> socket.abort());
        }
    }

    /** Closes politely (1001), waiting a moment for the close frame to leave, then drops the connection. */
    void goAway() {
        dead = true;
        WebSocket socket = ws;
        if (socket == null) {
            return;
        }
        try {
            socket.sendClose(Protocol.CLOSE_GOING_AWAY, "agent stopping").get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // the connection is going anyway
        }
        socket.abort();
    }

    /** @return the cause under the JDK's completion and execution wrappers */
    static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** @return the root cause's message, or its class when it has none */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
