package io.edgeflow.update.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.json.JsonCodec;

/**
 * The cloud's update endpoints, reached with the {@link CloudEndpoint}'s HTTP client (its TLS trust and proxy) and
 * the device's API key from the {@link CredentialVault}. The key is read for each request, sent only in the
 * {@code Authorization} header, wiped after use and never logged.
 * <p>
 * Threading: stateless apart from what it is given; safe to call from the engine's and the reporter's threads.
 */
final class CloudLink implements Cloud {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final JsonCodec JSON = JsonCodec.withLimits(16, 64 * 1024);

    private final Supplier<Optional<CloudEndpoint>> endpoint;
    private final Supplier<Optional<CredentialVault>> vault;

    CloudLink(Supplier<Optional<CloudEndpoint>> endpoint, Supplier<Optional<CredentialVault>> vault) {
        this.endpoint = endpoint;
        this.vault = vault;
    }

    @Override
    public void download(Operation op, Path part, long maxBytes) throws ArtifactRejected, IOException {
        CloudEndpoint cloud = endpoint.get().orElseThrow(() -> new IOException("the cloud is not configured "
                + "(SaaS disabled or its address invalid)"));
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have > maxBytes) {
            Files.delete(part);
            have = 0;
        }
        try (Key key = key()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(cloud, "/api/v1/devices/" + key.deviceId
                    + "/artifacts/" + op.sha256())).timeout(REQUEST_TIMEOUT).GET();
            key.authorize(request);
            if (have > 0) {
                request.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<InputStream> response = send(cloud.httpClient(), request.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                int status = response.statusCode();
                boolean append = status == 206 && have > 0;
                if (status == 416 && have == op.size()) {
                    return; // the part is complete already
                }
                if (status != 200 && status != 206) {
                    throw new IOException("the cloud answered " + status + " for artifact " + op.sha256());
                }
                long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                long total = (append ? have : 0) + Math.max(length, 0);
                if (total > maxBytes) {
                    throw new ArtifactRejected("artifact_too_large", op.symbolicName() + ": the cloud sends "
                            + total + " bytes, more than " + maxBytes);
                }
                copy(in, part, append, append ? have : 0, maxBytes, op);
            }
        }
    }

    private static void copy(InputStream in, Path part, boolean append, long start, long maxBytes, Operation op)
            throws IOException, ArtifactRejected {
        long written = start;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                written += n;
                if (written > maxBytes) {
                    throw new ArtifactRejected("artifact_too_large", op.symbolicName() + ": more than " + maxBytes
                            + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
    }

    @Override
    public void report(String deploymentId, Map<String, Object> status) throws IOException {
        CloudEndpoint cloud = endpoint.get().orElseThrow(() -> new IOException("the cloud is not configured"));
        try (Key key = key()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(cloud, "/api/v1/devices/" + key.deviceId
                    + "/deployments/" + deploymentId + "/status")).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.write(status)));
            key.authorize(request);
            HttpResponse<Void> response = send(cloud.httpClient(), request.build(),
                    HttpResponse.BodyHandlers.discarding());
            if (Cloud.Refused.isFinal(response.statusCode())) {
                throw new Cloud.Refused(response.statusCode());
            }
            if (response.statusCode() / 100 != 2) {
                throw new IOException("the cloud answered " + response.statusCode());
            }
        }
    }

    private static URI uri(CloudEndpoint cloud, String path) {
        String base = cloud.baseUri().toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private static <T> HttpResponse<T> send(HttpClient client, HttpRequest request,
            HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private Key key() throws IOException {
        CredentialVault v = vault.get().orElseThrow(() -> new IOException("the credential vault is not running"));
        DeviceCredentials credentials;
        try {
            credentials = v.load().orElseThrow(() -> new IOException("the device is not provisioned"));
        } catch (VaultException e) {
            throw new IOException("the credential vault cannot be read: " + e.getMessage());
        }
        try {
            return new Key(credentials.deviceId(), credentials.apiKey());
        } finally {
            credentials.destroy();
        }
    }

    /** The device id and its API key for one request; wiped on close. */
    private static final class Key implements AutoCloseable {
        final String deviceId;
        private final char[] apiKey;

        Key(String deviceId, char[] apiKey) {
            this.deviceId = deviceId;
            this.apiKey = apiKey;
        }

        void authorize(HttpRequest.Builder request) {
            // the JDK's header API takes a String: it lives until the request is collected, as in provisioning
            request.header("Authorization", "Bearer " + new String(apiKey));
        }

        @Override
        public void close() {
            Arrays.fill(apiKey, '\0');
        }
    }
}
