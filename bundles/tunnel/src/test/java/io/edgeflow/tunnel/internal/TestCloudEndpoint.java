package io.edgeflow.tunnel.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import io.edgeflow.api.cloud.CloudEndpoint;

/**
 * A stand-in for the provisioning bundle's {@link CloudEndpoint}: an HTTP client trusting the test cloud's
 * CA (certificate and host name verified), on threads this test owns and can count.
 */
final class TestCloudEndpoint implements CloudEndpoint, AutoCloseable {
    private final String host;
    private final int port;
    private final ExecutorService executor;
    private final HttpClient client;

    TestCloudEndpoint(String host, int port, SSLContext tls) {
        this(host, port, tls, HttpClient.Builder.NO_PROXY);
    }

    /** Through a proxy, as the provisioning bundle's client goes. */
    TestCloudEndpoint(String host, int port, SSLContext tls, java.net.ProxySelector proxy) {
        this.host = host;
        this.port = port;
        AtomicInteger count = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-cloud-client-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().sslContext(tls).executor(executor).proxy(proxy)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public URI baseUri() {
        return URI.create("https://" + host + ":" + port);
    }

    @Override
    public URI webSocketUri(String path) {
        return URI.create("wss://" + host + ":" + port + path);
    }

    @Override
    public String displayUrl() {
        return host + ":" + port;
    }

    @Override
    public HttpClient httpClient() {
        return client;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
