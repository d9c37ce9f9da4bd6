package io.edgeflow.provisioning.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.edgeflow.api.cloud.CertificateClockException;
import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.cloud.ProxyRefusal;
import io.edgeflow.json.JsonCodec;

/**
 * {@link CloudApi} over HTTPS through a {@link CloudEndpoint}'s client. Every answer's {@code Date} header
 * gives the clock skew (cloud minus device), reported to a listener; nothing here compares the cloud's
 * times with the local clock.
 * <p>
 * A call blocks its thread but can be cut short: {@link #cancel()} (from another thread) ends the wait,
 * so a change of settings does not wait for a request timeout.
 */
final class HttpCloudApi implements CloudApi {
    private static final String JSON_TYPE = "application/json";
    /** Largest answer read from the cloud. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final JsonCodec JSON = JsonCodec.withLimits(16, MAX_ANSWER_BYTES);
    private static final java.util.regex.Pattern TUNNEL_FAILED = java.util.regex.Pattern.compile(
            "Tunnel failed, got: (\\d{3})");
    private static final java.util.regex.Pattern STATUS_LINE = java.util.regex.Pattern.compile("^HTTP/\\S+ (\\d{3})");

    private final CloudEndpoint endpoint;
    private final Duration timeout;
    private final Clock clock;
    private final LongConsumer skewListener;
    private volatile CompletableFuture<?> inFlight;

    HttpCloudApi(CloudEndpoint endpoint, Duration timeout, Clock clock, LongConsumer skewListener) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.clock = clock;
        this.skewListener = skewListener;
    }

    @Override
    public Registration register(ProvisioningCode code, String requestId, Map<String, Object> hardware,
            Map<String, Object> network) throws CloudCallException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provisioning_code", code.value());
        body.put("request_id", requestId);
        body.put("hardware", hardware);
        body.put("network", network);
        byte[] json = JSON.write(body);
        HttpRequest request = HttpRequest.newBuilder(uri("/api/v1/devices/register")).timeout(timeout)
                .header("Content-Type", JSON_TYPE).header("Accept", JSON_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
        HttpResponse<byte[]> response = send(request);
        if (response.statusCode() != 201) {
            throw refusal(response);
        }
        Map<String, Object> answer = answer(response);
        String deviceId = text(answer, "device_id");
        String apiKey = text(answer, "api_key");
        if (deviceId == null || apiKey == null || !apiKey.startsWith("efk_")) {
            // The cloud may well have registered us: retrying with the same request_id is safe.
            throw CloudCallException.transientFailure(CloudCallException.PROTOCOL_ERROR,
                    "The cloud's answer to the registration has no device_id or api_key.");
        }
        return new Registration(deviceId, apiKey.toCharArray(), time(answer, "expires_at"), time(answer, "confirm_by"));
    }

    @Override
    public Confirmation confirm(String deviceId, char[] apiKey, Map<String, Object> hardware,
            Map<String, Object> network) throws CloudCallException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!hardware.isEmpty()) {
            body.put("hardware", hardware);
        }
        if (!network.isEmpty()) {
            body.put("network", network);
        }
        HttpRequest request = HttpRequest.newBuilder(uri("/api/v1/devices/" + deviceId + "/confirm")).timeout(timeout)
                .header("Content-Type", JSON_TYPE).header("Accept", JSON_TYPE)
                .header("Authorization", "Bearer " + new String(apiKey))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.write(body))).build();
        HttpResponse<byte[]> response = send(request);
        if (response.statusCode() != 200) {
            throw refusal(response);
        }
        Map<String, Object> answer = answer(response);
        return new Confirmation(deviceId, text(answer, "status"), time(answer, "expires_at"));
    }

    @Override
    public Rotation rotateKey(String deviceId, char[] apiKey) throws CloudCallException {
        HttpRequest request = HttpRequest.newBuilder(uri("/api/v1/devices/" + deviceId + "/rotate-key"))
                .timeout(timeout).header("Content-Type", JSON_TYPE).header("Accept", JSON_TYPE)
                .header("Authorization", "Bearer " + new String(apiKey))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.write(Map.of()))).build();
        HttpResponse<byte[]> response = send(request);
        if (response.statusCode() != 200) {
            throw refusal(response);
        }
        Map<String, Object> answer = answer(response);
        String newKey = text(answer, "api_key");
        if (newKey == null || !newKey.startsWith("efk_")) {
            // A new key may have been issued: a rotation retried with the current key voids it (docs/protocol.md).
            throw CloudCallException.transientFailure(CloudCallException.PROTOCOL_ERROR,
                    "The cloud's answer to the key rotation has no api_key.");
        }
        return new Rotation(deviceId, newKey.toCharArray(), time(answer, "expires_at"),
                time(answer, "previous_key_valid_until"));
    }

    /** Ends the call in progress, if any: it fails with {@code cloud_unreachable} ("cancelled"). */
    @Override
    public void cancel() {
        CompletableFuture<?> call = inFlight;
        if (call != null) {
            call.cancel(true);
        }
    }

    private URI uri(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128 || c == '/' || c == '_' || c == '-')) {
                throw new IllegalArgumentException("unexpected character in a cloud path");
            }
        }
        return endpoint.baseUri().resolve(path);
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws CloudCallException {
        HttpClient client = endpoint.httpClient();
        CompletableFuture<HttpResponse<byte[]>> call;
        try {
            call = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) { // an executor already shut down: the endpoint was replaced
            throw CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                    "The connection settings changed while connecting; retrying.");
        }
        inFlight = call;
        HttpResponse<byte[]> response;
        try {
            // the request timeout bounds the answer; the extra minute bounds a connect the JDK would not end
            response = call.get(timeout.toMillis() + 60_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw CloudCallException.transientFailure(CloudCallException.UNREACHABLE, "Interrupted.");
        } catch (CancellationException e) {
            throw CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                    "The request was cancelled because the settings changed.");
        } catch (java.util.concurrent.TimeoutException e) {
            call.cancel(true);
            throw CloudCallException.transientFailure(CloudCallException.TIMEOUT,
                    "No answer from the cloud at " + endpoint.displayUrl() + " in time.");
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } finally {
            inFlight = null;
        }
        recordSkew(response);
        return response;
    }

    private void recordSkew(HttpResponse<?> response) {
        String date = response.headers().firstValue("Date").orElse(null);
        if (date == null) {
            return;
        }
        try {
            Instant cloud = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            skewListener.accept(cloud.getEpochSecond() - clock.instant().getEpochSecond());
        } catch (DateTimeParseException e) {
            // a malformed Date header tells nothing about the clock
        }
    }

    /** Turns an exception of the HTTP client into a transient failure with a message a person can act on. */
    private CloudCallException failure(Throwable cause) {
        String where = endpoint.displayUrl();
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof SSLHandshakeException) {
                break;
            }
            root = root.getCause();
        }
        String relayed = endpoint.proxyFailure();
        if (relayed != null) {
            java.util.regex.Matcher status = STATUS_LINE.matcher(relayed);
            return CloudCallException.transientFailure(CloudCallException.PROXY_ERROR, status.find()
                    ? "The proxy refused the connection to " + where + ": "
                            + ProxyRefusal.describe(Integer.parseInt(status.group(1)))
                    : "The connection to the cloud at " + where + " through the proxy failed: " + relayed + ".");
        }
        if (cause instanceof HttpConnectTimeoutException || root instanceof HttpConnectTimeoutException) {
            return CloudCallException.transientFailure(CloudCallException.TIMEOUT,
                    "Could not connect to the cloud at " + where + " in time.");
        }
        if (cause instanceof HttpTimeoutException || root instanceof HttpTimeoutException) {
            return CloudCallException.transientFailure(CloudCallException.TIMEOUT,
                    "No answer from the cloud at " + where + " in time.");
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateClockException clock) {
                return CloudCallException.transientFailure(CloudCallException.TLS_ERROR,
                        "The TLS connection to " + where + " failed: " + clock.getMessage() + ".");
            }
        }
        if (cause instanceof SSLException || root instanceof SSLException
                || root instanceof java.security.cert.CertificateException) {
            return CloudCallException.transientFailure(CloudCallException.TLS_ERROR,
                    "The TLS connection to " + where + " failed: " + describe(root) + " (check the cloud URL and "
                            + "the CA file)");
        }
        String text = describe(cause) + " " + describe(root);
        if (text.contains("Tunnel failed") || text.contains("407")) {
            // the JDK: "Tunnel failed, got: 401" for any refusal of CONNECT but a 407
            java.util.regex.Matcher status = TUNNEL_FAILED.matcher(text);
            int code = status.find() ? Integer.parseInt(status.group(1)) : 0;
            return CloudCallException.transientFailure(CloudCallException.PROXY_ERROR,
                    "The proxy refused the connection to " + where + ": "
                            + (code != 0 ? ProxyRefusal.describe(code) : describe(root)));
        }
        if (root instanceof UnknownHostException) {
            return CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                    "Cannot resolve the cloud's host name (" + where + ").");
        }
        if (root instanceof ConnectException) {
            return CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                    "Cannot connect to the cloud at " + where + " (connection refused or no route).");
        }
        if (root instanceof IOException || root instanceof java.util.concurrent.RejectedExecutionException) {
            return CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                    "The connection to the cloud at " + where + " failed: " + describe(root) + ".");
        }
        return CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                "The request to the cloud at " + where + " failed: " + describe(root) + ".");
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** The cloud's error answer as a failure: permanent or not as docs/protocol.md says. */
    private CloudCallException refusal(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        String code = null;
        String message = null;
        try {
            Map<String, Object> body = JSON.readObject(response.body());
            code = text(body, "error");
            message = text(body, "message");
        } catch (IOException | RuntimeException e) {
            // no JSON error body (a proxy's page, say): decided by the status alone
        }
        if (message == null) {
            message = "The cloud answered HTTP " + status + ".";
        }
        Duration retryAfter = null;
        String after = response.headers().firstValue("Retry-After").orElse(null);
        if (after != null) {
            try {
                retryAfter = Duration.ofSeconds(Math.max(0, Long.parseLong(after.strip())));
            } catch (NumberFormatException e) {
                retryAfter = null; // an HTTP date would need the local clock: the backoff decides instead
            }
        }
        if (status == 407) {
            // the JDK hands the proxy's refusal of the tunnel over as the answer
            return new CloudCallException(CloudCallException.PROXY_ERROR, "The proxy refused the connection to "
                    + endpoint.displayUrl() + ": " + ProxyRefusal.describe(status), false, status, null);
        }
        if (status >= 500) {
            return new CloudCallException(code == null ? CloudCallException.SERVER_ERROR : code, message, false, status,
                    retryAfter);
        }
        if (status == 429) {
            return new CloudCallException(code == null ? "rate_limited" : code, message, false, status, retryAfter);
        }
        if (status == 409 && "code_in_use".equals(code)) {
            return new CloudCallException(code, message, false, status, retryAfter);
        }
        if (status == 408) {
            return new CloudCallException(CloudCallException.TIMEOUT, message, false, status, retryAfter);
        }
        if (status == 401) {
            return new CloudCallException("invalid_credentials", message, true, status, null);
        }
        if (code == null || !code.matches("[a-z][a-z0-9_]{0,63}")) {
            return new CloudCallException(CloudCallException.PROTOCOL_ERROR, "Unexpected answer from the cloud at "
                    + endpoint.displayUrl() + ": HTTP " + status + ". Is the URL that of an EdgeFlow cloud?", true,
                    status, null);
        }
        return new CloudCallException(code, message, true, status, null);
    }

    private static Map<String, Object> answer(HttpResponse<byte[]> response) throws CloudCallException {
        byte[] body = response.body();
        try {
            if (body == null || body.length > MAX_ANSWER_BYTES) {
                throw new IOException("no body or too large");
            }
            return JSON.readObject(body);
        } catch (IOException e) {
            throw CloudCallException.transientFailure(CloudCallException.PROTOCOL_ERROR,
                    "The cloud's answer is not the expected JSON.");
        } finally {
            if (body != null) {
                Arrays.fill(body, (byte) 0); // it may hold the API key
            }
        }
    }

    private static String text(Map<String, Object> object, String field) {
        Object value = object.get(field);
        return value instanceof String s && !s.isEmpty() ? s : null;
    }

    private static Instant time(Map<String, Object> object, String field) {
        String value = text(object, field);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
