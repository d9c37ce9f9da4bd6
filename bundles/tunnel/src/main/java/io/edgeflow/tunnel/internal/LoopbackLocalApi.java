package io.edgeflow.tunnel.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local API over loopback, with {@link HttpURLConnection} (no proxy, ever): simple, blocking, and it
 * leaves no thread behind (a JDK {@code HttpClient} keeps a selector thread until it is collected). A
 * request that outlives its timeout is cut by disconnecting it from the scheduler.
 * <p>
 * Every answer goes back as the local API wrote it, body included, whatever its status. Two habits of
 * {@code HttpURLConnection} stand in the way and are switched off: in streaming mode it drops the body of a
 * 401 (it throws {@code HttpRetryException} and disconnects), so the request body is handed over whole; and
 * it would answer a {@code WWW-Authenticate} challenge with the JVM's default {@link Authenticator} (which
 * may hold a proxy's credentials), so each connection gets one that never answers.
 * <p>
 * Each request carries the tunnel's own credential ({@code Authorization: EdgeFlow-Relay <secret>},
 * {@link RelaySecret}), so that the local API lets the cloud's requests through when an API token is configured,
 * and knows them for the cloud's. The cloud's own headers never include {@code Authorization} (see
 * {@link Protocol#REQUEST_HEADERS}); the credential is set after them in any case.
 */
final class LoopbackLocalApi implements LocalApi {
    /** Offers no credentials to anyone: the local API's challenges go back to the cloud unanswered. */
    private static final Authenticator NO_CREDENTIALS = new Authenticator() {
        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            return null;
        }
    };

    private final LoopbackTarget target;
    private final ScheduledExecutorService deadlines;

    /**
     * @param target where the local API listens, and the credential the requests carry
     * @param deadlines where request deadlines are kept
     */
    LoopbackLocalApi(LoopbackTarget target, ScheduledExecutorService deadlines) {
        this.target = target;
        this.deadlines = deadlines;
    }

    @Override
    public LocalResponse execute(LocalRequest request, Duration timeout, int maxBodyBytes) throws LocalApiException {
        URI base = target.address();
        if (base == null) {
            throw new LocalApiException(LocalApiException.UNAVAILABLE,
                    "The local API is not running (no HTTP service endpoint is registered).");
        }
        HttpURLConnection connection;
        try {
            URL url = new URL(base.getScheme(), base.getHost(), base.getPort(), request.path());
            connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        } catch (IOException e) {
            throw new LocalApiException(LocalApiException.UNAVAILABLE, "The local API address " + base
                    + " cannot be used: " + e.getMessage());
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            timedOut.set(true);
            connection.disconnect();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setAuthenticator(NO_CREDENTIALS);
            connection.setRequestMethod(request.method());
            request.headers().forEach(connection::setRequestProperty);
            String authorization = target.authorization();
            if (authorization != null) {
                connection.setRequestProperty("Authorization", authorization);
            }
            boolean sendsBody = request.body().length > 0 || request.method().equals("POST")
                    || request.method().equals("PUT");
            if (sendsBody) {
                connection.setDoOutput(true);
                // not setFixedLengthStreamingMode: in streaming mode a 401 loses its body (see above)
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(request.body());
                }
            }
            int status = connection.getResponseCode();
            byte[] body;
            try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                body = in == null ? new byte[0] : readLimited(in, maxBodyBytes);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : Protocol.RESPONSE_HEADERS) {
                String value = connection.getHeaderField(name);
                if (value != null) {
                    headers.put(name, value);
                }
            }
            return new LocalResponse(status, headers, body);
        } catch (SocketTimeoutException e) {
            connection.disconnect();
            throw timeout(timeout);
        } catch (ConnectException e) {
            throw new LocalApiException(LocalApiException.UNAVAILABLE, "The local API at " + base
                    + " refused the connection.");
        } catch (IOException e) {
            connection.disconnect();
            if (timedOut.get()) {
                throw timeout(timeout);
            }
            throw new LocalApiException(LocalApiException.UNAVAILABLE, "The local API at " + base + " failed: "
                    + e.getMessage());
        } finally {
            deadline.cancel(false);
        }
    }

    private static LocalApiException timeout(Duration timeout) {
        return new LocalApiException(LocalApiException.TIMEOUT, "The local API did not answer within "
                + timeout.toMillis() + " ms.");
    }

    private static byte[] readLimited(InputStream in, int max) throws IOException, LocalApiException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0;) {
            out.write(buffer, 0, n);
            if (out.size() > max) {
                throw new LocalApiException(LocalApiException.RESPONSE_TOO_LARGE, "The local API's answer is larger "
                        + "than " + max + " bytes (max_body_bytes).");
            }
        }
        return out.toByteArray();
    }

    /**
     * Where to reach the local API, from the HTTP service runtime's {@code osgi.http.endpoint} property
     * ({@code http://127.0.0.1:8080/}, or several). A server bound to every address (0.0.0.0, ::) or to
     * {@code localhost} is reached over 127.0.0.1; one bound to a single address over that address.
     * Plain HTTP endpoints are preferred: the tunnel does not verify a local certificate.
     *
     * @param endpoints the property value: a string, an array or a collection of strings
     * @return the base URI ({@code http://127.0.0.1:8080}), or null if none can be used
     */
    static URI address(Object endpoints) {
        List<String> values = new ArrayList<>();
        if (endpoints instanceof String s) {
            values.add(s);
        } else if (endpoints instanceof String[] a) {
            values.addAll(List.of(a));
        } else if (endpoints instanceof Collection<?> c) {
            c.forEach(v -> values.add(String.valueOf(v)));
        }
        URI chosen = null;
        for (String value : values) {
            URI uri;
            try {
                uri = URI.create(value.trim());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!"http".equalsIgnoreCase(uri.getScheme())) {
                continue;
            }
            String host = uri.getHost();
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            String target = loopbackFor(host);
            URI candidate = URI.create("http://" + (target.contains(":") ? "[" + target + "]" : target) + ":" + port);
            if (chosen == null || target.equals("127.0.0.1")) {
                chosen = candidate;
                if (target.equals("127.0.0.1")) {
                    break;
                }
            }
        }
        return chosen;
    }

    private static String loopbackFor(String host) {
        if (host == null || host.isEmpty()) {
            return "127.0.0.1";
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.equals("0.0.0.0") || lower.equals("::") || lower.equals("0:0:0:0:0:0:0:0")) {
            return "127.0.0.1";
        }
        try {
            InetAddress a = InetAddress.getByName(h);
            if (a.isAnyLocalAddress()) {
                return "127.0.0.1";
            }
            return a.getHostAddress();
        } catch (UnknownHostException e) {
            return h;
        }
    }
}
