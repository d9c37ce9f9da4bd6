package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.tls.Pem;

/**
 * The CLI's connection to a running cloud: HTTPS with certificate and host name verification, trusting
 * the given CA file (or the JDK's trust store), the admin token as a bearer token.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String baseUrl;
    private final String token;

    /** The server answered with an error. */
    static final class ServerError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        ServerError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    /** The server could not be reached or spoke no sense. */
    static final class ConnectionError extends Exception {
        private static final long serialVersionUID = 1L;

        ConnectionError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    AdminClient(String baseUrl, Path caFile, String token) throws IOException, GeneralSecurityException {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1);
        if (caFile != null) {
            builder.sslContext(trusting(caFile));
        }
        this.http = builder.build();
    }

    static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        List<X509Certificate> certificates = Pem.readCertificates(caFile);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < certificates.size(); i++) {
            trust.setCertificateEntry("ca" + i, certificates.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    JsonNode get(String path) throws ServerError, ConnectionError {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode post(String path, Object body) throws ServerError, ConnectionError {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs bytes (an artifact) with their content type. */
    JsonNode postBytes(String path, byte[] body, String contentType) throws ServerError, ConnectionError {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    JsonNode delete(String path) throws ServerError, ConnectionError {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** An answer passed on as it came: the status and the body text. */
    record RawAnswer(int status, String contentType, String body) {
    }

    /**
     * Sends a request and returns the answer whatever its status (for {@code devices call}).
     *
     * @param method the method
     * @param path the path on the cloud
     * @param body the body (JSON), or null
     * @return the answer
     * @throws ConnectionError if the cloud cannot be reached
     */
    RawAnswer raw(String method, String path, byte[] body) throws ConnectionError {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(body));
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = exchange(request);
        return new RawAnswer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    private URI uri(String path) throws ConnectionError {
        try {
            URI uri = URI.create(baseUrl + path);
            if (!"https".equalsIgnoreCase(uri.getScheme())) {
                throw new ConnectionError("--url must start with https:// (the cloud speaks HTTPS only): " + baseUrl,
                        null);
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConnectionError("--url is not a URL: " + baseUrl, e);
        }
    }

    private JsonNode send(HttpRequest.Builder request) throws ServerError, ConnectionError {
        request.timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = exchange(request);
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ConnectionError("The server at " + baseUrl + " answered " + response.statusCode()
                    + " with something that is not JSON; is it an EdgeFlow cloud?", e);
        }
        if (response.statusCode() >= 400) {
            throw new ServerError(response.statusCode(), body.path("error").asText("http_" + response.statusCode()),
                    body.path("message").asText(""));
        }
        return body;
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) throws ConnectionError {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new ConnectionError("Cannot reach the cloud at " + baseUrl
                    + " (connection refused). Is `edgeflow-cloud serve` running there?", e);
        } catch (SSLHandshakeException e) {
            throw new ConnectionError("TLS handshake with " + baseUrl + " failed: " + e.getMessage()
                    + ". Pass the server's CA with --ca-file.", e);
        } catch (IOException e) {
            throw new ConnectionError("Cannot reach the cloud at " + baseUrl + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionError("Interrupted", e);
        }
    }

    static String readToken(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("No admin token file at " + file
                    + "; pass --token-file, set EDGEFLOW_ADMIN_TOKEN, or point --data-dir at the server's data directory");
        }
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }
}
