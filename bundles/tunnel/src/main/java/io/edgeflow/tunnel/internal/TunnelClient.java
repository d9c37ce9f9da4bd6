package io.edgeflow.tunnel.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongUnaryOperator;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.tunnel.TunnelState.Phase;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.json.JsonCodec;

/**
 * The tunnel to the cloud: opens the WebSocket, sends heartbeats, replaces a connection whose heartbeat
 * is not answered before the next one is due, reconnects after any failure with exponential backoff and
 * full jitter (for ever), and carries out the cloud's requests on the local API.
 * <p>
 * Threads: every decision is taken on one scheduler thread ({@code edgeflow-tunnel}) that this object
 * owns, so the connection state needs no locks; the WebSocket's callbacks, which run on the HTTP
 * client's threads, only hand events over to it. Requests run on a small pool of its own. {@link #close()}
 * closes the socket and stops both; nothing is left behind.
 */
final class TunnelClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelClient.class);
    /** Frames are small and two levels deep; their size is bounded before they are parsed. */
    static final JsonCodec FRAMES = JsonCodec.withLimits(8, 32 * 1024 * 1024);

    /** Error codes of {@link TunnelState#error()}. */
    static final String CREDENTIALS_REJECTED = "credentials_rejected";
    static final String CLOUD_UNREACHABLE = "cloud_unreachable";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String TLS_ERROR = "tls_error";
    static final String HANDSHAKE_REFUSED = "handshake_refused";
    static final String PROTOCOL_UNSUPPORTED = "tunnel_protocol_unsupported";
    static final String HEARTBEAT_TIMEOUT = "heartbeat_timeout";
    static final String CONNECTION_LOST = "connection_lost";
    static final String REPLACED = "tunnel_replaced";
    static final String CREDENTIALS_MISSING = "credentials_missing";
    static final String PROTOCOL_ERROR = "tunnel_protocol_error";
    static final String PROXY_ERROR = "proxy_error";


    private final TunnelSettings settings;
    private final CloudEndpoint cloud;
    private final String deviceId;
    private final CredentialVault vault;
    private final LocalApi localApi;
    private final Clock clock;
    private final LongUnaryOperator random;
    private final Backoff backoff;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor requests;
    private final URI uri;
    private final RemoteRequests remote;
    /** What the connections report: each on the scheduler thread. */
    private final TunnelConnection.Events events = new TunnelConnection.Events() {
        @Override
        public boolean post(Runnable task) {
            return TunnelClient.this.post(task);
        }

        @Override
        public void frame(TunnelConnection c, String text) {
            TunnelClient.this.frame(c, text);
        }

        @Override
        public void binary(TunnelConnection c) {
            if (c == current) {
                remote.sendError(c, null, "invalid_frame", "Binary frames are not part of " + Protocol.V1 + ".");
            }
        }

        @Override
        public void closedByCloud(TunnelConnection c, int code, String reason) {
            TunnelClient.this.closedByCloud(c, code, reason);
        }

        @Override
        public void broken(TunnelConnection c, String code, String message) {
            fail(c, code, message, Retry.BACKOFF);
        }
    };

    private volatile TunnelState state = new TunnelState(Phase.CONNECTING, null, null, null);
    private volatile boolean closed;

    // confined to the scheduler thread
    private TunnelConnection current;
    private long connections;
    private int failures;
    private boolean everOnline;
    private ScheduledFuture<?> reconnect;

    /**
     * @param settings the checked settings
     * @param cloud where the cloud is, and the HTTP client with the agent's TLS and proxy rules
     * @param deviceId the Device ID the provisioning bundle announced
     * @param vault where the API key is read, at each connection
     * @param localApi carries out the cloud's requests; null to use the loopback API at {@code localApi}
     * @param clock the wall clock for the times reported
     * @param random given a bound {@code b > 0}, a random value from 0 to {@code b - 1} (backoff jitter)
     * @param localAddress where the local API listens, and the relay credential, for {@link LoopbackLocalApi}
     */
    TunnelClient(TunnelSettings settings, CloudEndpoint cloud, String deviceId, CredentialVault vault,
            LocalApi localApi, Clock clock, LongUnaryOperator random, LoopbackTarget localAddress) {
        this.settings = settings;
        this.cloud = cloud;
        this.deviceId = deviceId;
        this.vault = vault;
        this.clock = clock;
        this.random = random;
        this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap(), random);
        this.uri = cloud.webSocketUri(Protocol.PATH);
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads("edgeflow-tunnel", false));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.requests = new ThreadPoolExecutor(settings.maxConcurrentRequests(), settings.maxConcurrentRequests(),
                30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), threads("edgeflow-tunnel-request-", true));
        this.requests.allowCoreThreadTimeOut(true);
        this.localApi = localApi != null ? localApi : new LoopbackLocalApi(localAddress, scheduler);
        this.remote = new RemoteRequests(settings, this.localApi, requests);
    }

    private static ThreadFactory threads(String name, boolean numbered) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + count.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Opens the tunnel, at once. */
    void start() {
        post(this::connect);
    }

    /** @return the current state; never null */
    TunnelState state() {
        return state;
    }

    /**
     * Closes the socket (close code 1001) and stops every thread this client started; waits at most a
     * few seconds. Afterwards the state is {@link Phase#STOPPED}.
     */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<TunnelConnection> last = new CompletableFuture<>();
        if (!post(() -> {
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            TunnelConnection c = current;
            current = null;
            if (c != null) {
                c.stopTimers();
            }
            last.complete(c);
        })) {
            last.complete(null);
        }
        TunnelConnection c = null;
        try {
            c = last.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            c = current;
        }
        if (c != null) {
            c.goAway();
        }
        scheduler.shutdownNow();
        requests.shutdownNow();
        try {
            if (!scheduler.awaitTermination(2, TimeUnit.SECONDS) || !requests.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.warn("Tunnel threads did not stop within 2 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TunnelState last2 = state;
        state = new TunnelState(Phase.STOPPED, last2.lastHeartbeat(), null, null, last2.clockSkewSeconds());
    }

    /** Hands work to the scheduler thread; false if it is stopped. */
    private boolean post(Runnable task) {
        try {
            scheduler.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // a defect of ours must not kill the only thread the tunnel has
                    LOG.error("Tunnel: unexpected failure: {}", e.toString(), e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ connecting

    private void connect() {
        reconnect = null;
        if (closed) {
            return;
        }
        TunnelConnection c = new TunnelConnection(++connections, settings, events);
        current = c;
        Phase waiting = state.phase() == Phase.REJECTED ? Phase.REJECTED : everOnline ? Phase.OFFLINE : Phase.CONNECTING;
        state = new TunnelState(waiting, state.lastHeartbeat(), null, state.error(), state.clockSkewSeconds());

        String authorization;
        String id;
        Optional<DeviceCredentials> stored;
        try {
            stored = vault.load();
        } catch (VaultException e) {
            fail(c, e.code(), "The device credentials cannot be read: " + e.getMessage(), Retry.BACKOFF);
            return;
        } catch (RuntimeException e) {
            fail(c, VaultException.VAULT_IO_ERROR, "The credential vault failed: " + e, Retry.BACKOFF);
            return;
        }
        if (stored.isEmpty()) {
            fail(c, CREDENTIALS_MISSING, "The vault holds no device credentials.", Retry.SLOW);
            return;
        }
        DeviceCredentials credentials = stored.get();
        char[] key = credentials.apiKey();
        try {
            id = credentials.deviceId();
            // The JDK's WebSocket builder takes header values as strings only: this one copy of the key
            // lives until it is collected. The char arrays are wiped here. Never log it.
            authorization = "Bearer " + new String(key);
        } finally {
            Arrays.fill(key, '\0');
            credentials.destroy();
        }
        if (!id.equals(deviceId)) {
            LOG.warn("Tunnel: the vault holds credentials of {}, the provisioning bundle announced {}; using {}",
                    id, deviceId, id);
        }
        CompletableFuture<WebSocket> opening;
        try {
            opening = cloud.httpClient().newWebSocketBuilder()
                    .header("Authorization", authorization)
                    .header(Protocol.DEVICE_ID_HEADER, id)
                    .subprotocols(Protocol.V1)
                    .connectTimeout(settings.connectTimeout())
                    .buildAsync(uri, c);
        } catch (RuntimeException e) {
            fail(c, CLOUD_UNREACHABLE, "The tunnel cannot be opened: " + e.getMessage(), Retry.BACKOFF);
            return;
        }
        // a guard beyond the JDK's connect timeout: a proxy or TLS peer that stalls, or no hello
        c.openTimeout = scheduler.schedule(() -> {
            if (c == current && !c.helloSeen) {
                fail(c, CONNECT_TIMEOUT, "The tunnel to " + cloud.displayUrl() + " did not open within "
                        + seconds(settings.connectTimeout().multipliedBy(2)) + ".", Retry.BACKOFF);
            }
        }, settings.connectTimeout().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
        opening.whenComplete((ws, error) -> {
            if (!post(() -> opened(c, ws, error)) && ws != null) {
                ws.abort(); // closed meanwhile
            }
        });
    }

    private void opened(TunnelConnection c, WebSocket ws, Throwable error) {
        if (error != null) {
            if (c == current) {
                failOpening(c, TunnelConnection.unwrap(error));
            }
            return;
        }
        if (c != current || closed) {
            ws.abort();
            return;
        }
        c.ws = ws;
        if (!Protocol.V1.equals(ws.getSubprotocol())) {
            fail(c, PROTOCOL_UNSUPPORTED, "The cloud at " + cloud.displayUrl() + " did not accept the tunnel protocol "
                    + Protocol.V1 + " (it answered '" + ws.getSubprotocol() + "'); is it an EdgeFlow cloud?",
                    Retry.SLOW);
        }
    }

    private void failOpening(TunnelConnection c, Throwable cause) {
        OpeningFailure f = OpeningFailure.of(cause, cloud.displayUrl(), settings.connectTimeout());
        fail(c, f.code(), f.message(), f.retry());
    }

    // ------------------------------------------------------------------ frames

    private void frame(TunnelConnection c, String text) {
        if (c != current) {
            return;
        }
        Map<String, Object> frame;
        try {
            frame = FRAMES.readObject(text);
        } catch (IOException e) {
            remote.sendError(c, null, "invalid_frame", "A frame must be one JSON object.");
            return;
        }
        Object type = frame.get("type");
        if (!(type instanceof String)) {
            remote.sendError(c, RemoteRequests.idOf(frame), "invalid_frame", "A frame needs a string 'type'.");
            return;
        }
        switch ((String) type) {
            case Protocol.HELLO -> hello(c, frame);
            case Protocol.HEARTBEAT_ACK -> heartbeatAnswered(c, frame);
            case Protocol.REQUEST -> remote.request(c, frame);
            case Protocol.ERROR -> LOG.info("Tunnel: the cloud reported {}: {}", frame.get("code"), frame.get("message"));
            default -> remote.sendError(c, RemoteRequests.idOf(frame), "unknown_type", "Unknown frame type for " + Protocol.V1 + ".");
        }
    }

    private void hello(TunnelConnection c, Map<String, Object> frame) {
        if (c.helloSeen) {
            return;
        }
        if (!(frame.get("protocol") instanceof Number n) || n.intValue() != Protocol.VERSION) {
            fail(c, PROTOCOL_UNSUPPORTED, "The cloud's hello names protocol " + frame.get("protocol") + ", not "
                    + Protocol.VERSION + ".", Retry.SLOW);
            return;
        }
        c.helloSeen = true;
        if (c.openTimeout != null) {
            c.openTimeout.cancel(false);
        }
        c.connectedSince = clock.instant();
        Long skew = Protocol.skewFrom(frame, null, c.connectedSince);
        if (skew != null) {
            TunnelState s = state;
            state = new TunnelState(s.phase(), s.lastHeartbeat(), s.connectedSince(), s.error(), skew);
        }
        Duration interval = settings.heartbeatInterval();
        if (frame.get("heartbeat_timeout_seconds") instanceof Number t && t.longValue() > 0) {
            // the cloud closes a tunnel silent for this long: beat at least three times within it
            Duration cloudTimeout = Duration.ofSeconds(t.longValue());
            if (interval.multipliedBy(3).compareTo(cloudTimeout) > 0) {
                Duration shorter = cloudTimeout.dividedBy(3);
                interval = shorter.isZero() ? Duration.ofMillis(300) : shorter;
                LOG.info("Tunnel: the cloud closes silent tunnels after {}; heartbeats every {} instead of {}",
                        seconds(cloudTimeout), seconds(interval), seconds(settings.heartbeatInterval()));
            }
        }
        c.interval = interval;
        sendHeartbeat(c);
        long ms = interval.toMillis();
        c.heartbeats = scheduler.scheduleAtFixedRate(() -> heartbeatDue(c), ms, ms, TimeUnit.MILLISECONDS);
    }

    private void heartbeatDue(TunnelConnection c) {
        if (c != current) {
            c.stopTimers();
            return;
        }
        if (c.outstanding != 0) {
            // sent one interval ago and still unanswered: the connection is dead or half-open
            fail(c, HEARTBEAT_TIMEOUT, "No answer to a heartbeat within " + seconds(c.interval)
                    + "; the connection is replaced.", Retry.BACKOFF);
            return;
        }
        sendHeartbeat(c);
    }

    private void sendHeartbeat(TunnelConnection c) {
        long seq = ++c.seq;
        c.outstanding = seq;
        Map<String, Object> beat = new LinkedHashMap<>();
        beat.put("type", Protocol.HEARTBEAT);
        beat.put("seq", seq);
        Instant sentAt = clock.instant();
        c.outstandingSentAt = sentAt;
        beat.put("sent_at", sentAt.toString());
        c.send(FRAMES.writeString(beat));
    }

    private void heartbeatAnswered(TunnelConnection c, Map<String, Object> frame) {
        Object seq = frame.get("seq");
        if (seq instanceof Number n && n.longValue() != c.outstanding) {
            return; // an answer to an older heartbeat: the newest one is still out
        }
        c.outstanding = 0;
        Instant now = clock.instant();
        if (state.phase() != Phase.ONLINE || c.onlineSince == 0) {
            c.onlineSince = System.nanoTime();
            everOnline = true;
            LOG.info("Tunnel to {} online (device {}, connection {})", cloud.displayUrl(), deviceId, c.number);
        }
        Long skew = Protocol.skewFrom(frame, c.outstandingSentAt, now);
        state = new TunnelState(Phase.ONLINE, now, c.connectedSince, null,
                skew != null ? skew : state.clockSkewSeconds());
    }


    // ------------------------------------------------------------------ failures

    private void closedByCloud(TunnelConnection c, int code, String reason) {
        String why = reason == null || reason.isBlank() ? "" : ": " + reason;
        switch (code) {
            case Protocol.CLOSE_CREDENTIALS -> fail(c, CREDENTIALS_REJECTED,
                    "The cloud closed the tunnel because the device's key no longer works" + why + ".", Retry.REJECTED);
            case Protocol.CLOSE_REPLACED -> fail(c, REPLACED, "A newer tunnel of this device replaced this one"
                    + " (is a copy of this device running elsewhere?).", Retry.BACKOFF);
            default -> fail(c, CONNECTION_LOST, "The cloud closed the tunnel (" + code + why + ").", Retry.BACKOFF);
        }
    }

    private void fail(TunnelConnection c, String code, String message, Retry retry) {
        if (c != current) {
            return;
        }
        current = null;
        c.stopTimers();
        c.abort();
        if (closed) {
            return;
        }
        if (c.onlineSince != 0 && System.nanoTime() - c.onlineSince >= c.interval.toNanos()) {
            failures = 0; // it had been working: start the backoff from the beginning
        }
        Duration delay;
        Phase phase;
        switch (retry) {
            case REJECTED -> {
                phase = Phase.REJECTED;
                delay = slowRetry();
            }
            case SLOW -> {
                phase = everOnline ? Phase.OFFLINE : Phase.CONNECTING;
                delay = slowRetry();
            }
            default -> {
                phase = everOnline ? Phase.OFFLINE : Phase.CONNECTING;
                delay = backoff.delay(failures);
                failures = Math.min(failures + 1, 64);
            }
        }
        TunnelState before = state;
        StatusError previous = before.error();
        Instant since = previous != null && previous.code().equals(code) ? previous.since() : clock.instant();
        state = new TunnelState(phase, before.lastHeartbeat(), null, new StatusError(code, message, since),
                before.clockSkewSeconds());
        if (previous == null || !previous.code().equals(code) || before.phase() == Phase.ONLINE) {
            LOG.info("Tunnel to {}: {} ({}); next attempt in {}", cloud.displayUrl(), message, code, seconds(delay));
        } else {
            LOG.debug("Tunnel to {}: {} ({}); next attempt in {}", cloud.displayUrl(), message, code, seconds(delay));
        }
        reconnect = scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A random time between half the slow retry interval and all of it. */
    private Duration slowRetry() {
        long full = settings.rejectedRetry().toMillis();
        return Duration.ofMillis(full / 2 + random.applyAsLong(full / 2 + 1));
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
