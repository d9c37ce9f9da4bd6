package io.edgeflow.tunnel.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
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

import javax.net.ssl.SSLException;

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
    private static final JsonCodec FRAMES = JsonCodec.withLimits(8, 32 * 1024 * 1024);
    private static final java.util.regex.Pattern TUNNEL_FAILED = java.util.regex.Pattern.compile(
            "Tunnel failed, got: (\\d{3})");

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

    /** How a failure is retried. */
    private enum Retry {
        /** Exponential backoff with full jitter. */
        BACKOFF,
        /** The slow retry interval: a person has to act (a rejected key, an incompatible cloud). */
        SLOW,
        /** The slow retry interval, and the phase is {@link Phase#REJECTED}. */
        REJECTED
    }

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

    private volatile TunnelState state = new TunnelState(Phase.CONNECTING, null, null, null);
    private volatile boolean closed;

    // confined to the scheduler thread
    private Connection current;
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
     * @param localAddress where the local API listens, for the default {@link LoopbackLocalApi}
     */
    TunnelClient(TunnelSettings settings, CloudEndpoint cloud, String deviceId, CredentialVault vault,
            LocalApi localApi, Clock clock, LongUnaryOperator random, java.util.function.Supplier<URI> localAddress) {
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
        CompletableFuture<Connection> last = new CompletableFuture<>();
        if (!post(() -> {
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            Connection c = current;
            current = null;
            if (c != null) {
                c.stopTimers();
            }
            last.complete(c);
        })) {
            last.complete(null);
        }
        Connection c = null;
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
        Connection c = new Connection(++connections);
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

    private void opened(Connection c, WebSocket ws, Throwable error) {
        if (error != null) {
            if (c == current) {
                failOpening(c, unwrap(error));
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

    private void failOpening(Connection c, Throwable cause) {
        String where = cloud.displayUrl();
        int proxyStatus = proxyRefusal(cause);
        if (proxyStatus != 0) {
            fail(c, PROXY_ERROR, "The proxy refused the tunnel to " + where + ": " + proxyHint(proxyStatus),
                    Retry.BACKOFF);
        } else if (cause instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            if (status == 401 || status == 403) {
                fail(c, CREDENTIALS_REJECTED, "The cloud at " + where + " rejected the device's key (HTTP " + status
                        + "). Provision the device again.", Retry.REJECTED);
            } else if (h.getResponse().headers().firstValue(Protocol.PROTOCOLS_HEADER).isPresent()) {
                fail(c, PROTOCOL_UNSUPPORTED, "The cloud at " + where + " speaks the tunnel protocols "
                        + h.getResponse().headers().firstValue(Protocol.PROTOCOLS_HEADER).get() + ", not "
                        + Protocol.V1 + ".", Retry.SLOW);
            } else {
                fail(c, HANDSHAKE_REFUSED, "The cloud at " + where + " answered HTTP " + status
                        + " to the tunnel handshake.", Retry.BACKOFF);
            }
        } else if (cause instanceof HttpConnectTimeoutException || cause instanceof HttpTimeoutException) {
            fail(c, CONNECT_TIMEOUT, "Connecting to " + where + " timed out after "
                    + seconds(settings.connectTimeout()) + ".", Retry.BACKOFF);
        } else if (cause instanceof SSLException) {
            fail(c, TLS_ERROR, "TLS with " + where + " failed: " + cause.getMessage(), Retry.BACKOFF);
        } else if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException) {
            fail(c, CLOUD_UNREACHABLE, "Cannot connect to " + where + ": " + describe(cause), Retry.BACKOFF);
        } else {
            fail(c, CLOUD_UNREACHABLE, "The tunnel to " + where + " could not be opened: " + describe(cause),
                    Retry.BACKOFF);
        }
    }

    /**
     * The status with which a proxy refused the CONNECT, or 0. The JDK hands a 407 over as the handshake's
     * answer and fails any other refusal with "Tunnel failed, got: N" (a 401 among them, which some proxies
     * answer to wrong credentials: that one must not be taken for the cloud refusing the device's key).
     */
    private static int proxyRefusal(Throwable cause) {
        if (cause instanceof WebSocketHandshakeException h) {
            return h.getResponse().statusCode() == 407 ? 407 : 0;
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            java.util.regex.Matcher m = TUNNEL_FAILED.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
    }

    /** The same words as the provisioning bundle's for a proxy's refusal. */
    static String proxyHint(int status) {
        return switch (status) {
            case 407 -> "HTTP 407 Proxy Authentication Required (check the proxy user and password).";
            case 401 -> "HTTP 401 Unauthorized: the proxy wants other credentials (check the proxy user and password).";
            case 403 -> "HTTP 403 Forbidden (the proxy does not allow this destination or this user).";
            default -> "HTTP " + status + ".";
        };
    }

    // ------------------------------------------------------------------ frames

    private void frame(Connection c, String text) {
        if (c != current) {
            return;
        }
        Map<String, Object> frame;
        try {
            frame = FRAMES.readObject(text);
        } catch (IOException e) {
            sendError(c, null, "invalid_frame", "A frame must be one JSON object.");
            return;
        }
        Object type = frame.get("type");
        if (!(type instanceof String)) {
            sendError(c, idOf(frame), "invalid_frame", "A frame needs a string 'type'.");
            return;
        }
        switch ((String) type) {
            case Protocol.HELLO -> hello(c, frame);
            case Protocol.HEARTBEAT_ACK -> heartbeatAnswered(c, frame);
            case Protocol.REQUEST -> request(c, frame);
            case Protocol.ERROR -> LOG.info("Tunnel: the cloud reported {}: {}", frame.get("code"), frame.get("message"));
            default -> sendError(c, idOf(frame), "unknown_type", "Unknown frame type for " + Protocol.V1 + ".");
        }
    }

    private void hello(Connection c, Map<String, Object> frame) {
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
        Long skew = skewFrom(frame, null, c.connectedSince);
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

    private void heartbeatDue(Connection c) {
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

    private void sendHeartbeat(Connection c) {
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

    private void heartbeatAnswered(Connection c, Map<String, Object> frame) {
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
        Long skew = skewFrom(frame, c.outstandingSentAt, now);
        state = new TunnelState(Phase.ONLINE, now, c.connectedSince, null,
                skew != null ? skew : state.clockSkewSeconds());
    }

    /**
     * The cloud's clock minus the device's, rounded to whole seconds: the frame's {@code server_time} against
     * the middle of the heartbeat's round trip (for a {@code hello}, which answers nothing, its arrival).
     * {@code server_time} may carry fractions of a second or not; a missing or malformed one gives null.
     */
    static Long skewFrom(Map<String, Object> frame, Instant sentAt, Instant receivedAt) {
        if (!(frame.get("server_time") instanceof String text) || text.length() > 64) {
            return null;
        }
        Instant server;
        try {
            server = java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
        Instant local = receivedAt;
        if (sentAt != null && !sentAt.isAfter(receivedAt)) {
            local = sentAt.plus(Duration.between(sentAt, receivedAt).dividedBy(2));
        }
        long millis = Duration.between(local, server).toMillis();
        return Math.round(millis / 1000.0);
    }

    private void request(Connection c, Map<String, Object> frame) {
        String id = idOf(frame);
        if (id == null) {
            sendError(c, null, "invalid_request", "A request needs a string 'id' of at most 64 characters.");
            return;
        }
        Object method = frame.get("method");
        if (!(method instanceof String m) || !Protocol.METHODS.contains(m)) {
            sendError(c, id, "invalid_request", "'method' must be one of GET, POST, PUT, DELETE.");
            return;
        }
        Object path = frame.get("path");
        if (!(path instanceof String p) || !Protocol.allowedPath(p)) {
            sendError(c, id, "path_not_allowed", "Only paths under /api/v1/ of the local API may be requested, "
                    + "without '.', '..', encoded separators or control characters.");
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (frame.get("headers") instanceof Map<?, ?> given) {
            given.forEach((name, value) -> {
                String lower = String.valueOf(name).toLowerCase(Locale.ROOT);
                if (Protocol.REQUEST_HEADERS.contains(lower) && value instanceof String v && v.length() <= 256
                        && v.chars().noneMatch(ch -> ch < ' ' || ch == 0x7f)) {
                    headers.put(lower, v);
                }
            });
        }
        byte[] body;
        Object b = frame.get("body");
        if (b == null) {
            body = new byte[0];
        } else if (b instanceof String encoded && encoded.length() <= settings.maxFrameChars()) {
            try {
                body = Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                sendError(c, id, "invalid_request", "'body' must be base64.");
                return;
            }
        } else {
            sendError(c, id, "request_too_large", "The body is larger than " + settings.maxBodyBytes() + " bytes.");
            return;
        }
        if (body.length > settings.maxBodyBytes()) {
            sendError(c, id, "request_too_large", "The body is larger than " + settings.maxBodyBytes() + " bytes.");
            return;
        }
        Duration timeout = settings.requestTimeout();
        if (frame.get("timeout_ms") instanceof Number t && t.longValue() > 0 && t.longValue() < timeout.toMillis()) {
            timeout = Duration.ofMillis(t.longValue());
        }
        LocalRequest local = new LocalRequest((String) method, (String) path, headers, body);
        Duration limit = timeout;
        try {
            requests.execute(() -> carryOut(c, id, local, limit));
        } catch (RejectedExecutionException e) {
            sendError(c, id, "busy", "The device is carrying out too many requests; try again shortly.");
        }
    }

    /** On a request thread. */
    private void carryOut(Connection c, String id, LocalRequest request, Duration timeout) {
        try {
            LocalResponse answer = localApi.execute(request, timeout, settings.maxBodyBytes());
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("type", Protocol.RESPONSE);
            frame.put("id", id);
            frame.put("status", answer.status());
            frame.put("headers", answer.headers());
            frame.put("body", answer.body().length == 0 ? null : Base64.getEncoder().encodeToString(answer.body()));
            c.send(FRAMES.writeString(frame));
        } catch (LocalApiException e) {
            sendError(c, id, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Tunnel: request {} {} failed: {}", request.method(), request.path(), e.toString(), e);
            sendError(c, id, LocalApiException.UNAVAILABLE, "The agent failed to carry out the request.");
        }
    }

    private void sendError(Connection c, String id, String code, String message) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", Protocol.ERROR);
        frame.put("id", id);
        frame.put("code", code);
        frame.put("message", message);
        c.send(FRAMES.writeString(frame));
    }

    private static String idOf(Map<String, Object> frame) {
        return frame.get("id") instanceof String s && !s.isEmpty() && s.length() <= 64 ? s : null;
    }

    // ------------------------------------------------------------------ failures

    private void closedByCloud(Connection c, int code, String reason) {
        String why = reason == null || reason.isBlank() ? "" : ": " + reason;
        switch (code) {
            case Protocol.CLOSE_CREDENTIALS -> fail(c, CREDENTIALS_REJECTED,
                    "The cloud closed the tunnel because the device's key no longer works" + why + ".", Retry.REJECTED);
            case Protocol.CLOSE_REPLACED -> fail(c, REPLACED, "A newer tunnel of this device replaced this one"
                    + " (is a copy of this device running elsewhere?).", Retry.BACKOFF);
            default -> fail(c, CONNECTION_LOST, "The cloud closed the tunnel (" + code + why + ").", Retry.BACKOFF);
        }
    }

    private void fail(Connection c, String code, String message, Retry retry) {
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

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    // ------------------------------------------------------------------ one connection

    /**
     * One WebSocket connection: the JDK calls the listener methods one at a time on the HTTP client's
     * threads; they hand complete frames to the scheduler thread. Fields without {@code volatile} belong
     * to the scheduler thread.
     */
    private final class Connection implements WebSocket.Listener {
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
        Duration interval = settings.heartbeatInterval();
        long seq;
        long outstanding;
        /** When the outstanding heartbeat left, by the local clock: its answer's server_time gives the skew. */
        Instant outstandingSentAt;
        long onlineSince;
        ScheduledFuture<?> heartbeats;
        ScheduledFuture<?> openTimeout;

        Connection(long number) {
            this.number = number;
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
                post(() -> fail(this, PROTOCOL_ERROR, "The cloud sent a frame larger than "
                        + settings.maxFrameChars() + " characters.", Retry.BACKOFF));
                webSocket.request(1);
                return null;
            }
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                post(() -> frame(this, text));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
            if (last && !discarding) {
                post(() -> {
                    if (this == current) {
                        sendError(this, null, "invalid_frame", "Binary frames are not part of " + Protocol.V1 + ".");
                    }
                });
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            peerClosed.complete(null);
            post(() -> closedByCloud(this, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            peerClosed.complete(null);
            post(() -> fail(this, CONNECTION_LOST, "The tunnel broke: " + describe(error), Retry.BACKOFF));
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
                            post(() -> fail(this, CONNECTION_LOST, "Sending on the tunnel failed: " + describe(e),
                                    Retry.BACKOFF));
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
    }
}
