package io.edgeflow.endpoint.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.edgeflow.api.cloud.CloudEndpoint;

/**
 * One configured cloud: its address, and an {@link HttpClient} that trusts the JDK's CAs plus the CA file,
 * verifies host names, and goes through the proxy. The client's threads come from an executor this object
 * owns; {@link #close()} shuts it down (on Java 17 an {@code HttpClient} cannot be closed itself), together
 * with the proxy relay, if one runs.
 */
public final class HttpCloudEndpoint implements CloudEndpoint, AutoCloseable {
    private final EndpointSettings settings;
    private final ExecutorService executor;
    private final ProxyRelay relay;
    private final HttpClient client;
    /** {@code host:port} of the relay the client takes for the cloud (an IPv6 cloud through a proxy), or null. */
    private final String viaRelay;

    /**
     * @param settings the address, trust, proxy and connect timeout
     * @param clock the local clock (see {@link CloudTrust})
     * @throws IOException if the proxy relay cannot open its loopback port
     * @throws GeneralSecurityException if the JDK's TLS support fails
     */
    public HttpCloudEndpoint(EndpointSettings settings, Clock clock) throws IOException, GeneralSecurityException {
        this(settings, clock, 0);
    }

    /**
     * @param settings the address, trust, proxy and connect timeout
     * @param clock the local clock (see {@link CloudTrust})
     * @param generation which endpoint of its publisher this is, for the thread names (an old endpoint's threads
     *        may still be ending while the new one's start)
     * @throws IOException if the proxy relay cannot open its loopback port
     * @throws GeneralSecurityException if the JDK's TLS support fails
     */
    HttpCloudEndpoint(EndpointSettings settings, Clock clock, int generation)
            throws IOException, GeneralSecurityException {
        this.settings = settings;
        this.executor = newExecutor("edgeflow-cloud-" + generation + "-");
        ProxyRelay startedRelay = null;
        String relayAuthority = null;
        try {
            ProxySettings proxy = settings.proxy();
            // The JDK's client cannot tunnel to an IPv6 literal through a proxy (it makes the bracketed literal
            // a TLS server name and fails): it connects to a relay on loopback as if that were the cloud, the
            // relay opens the tunnel, and the certificate is checked for the cloud's address.
            boolean ipv6ThroughProxy = proxy != null && settings.address().host().indexOf(':') >= 0;
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(settings.connectTimeout())
                    .sslContext(CloudTrust.sslContext(settings.caCertificates(), clock,
                            ipv6ThroughProxy ? settings.address().host() : null))
                    .executor(executor);
            if (proxy == null) {
                builder.proxy(HttpClient.Builder.NO_PROXY);
            } else if (ipv6ThroughProxy) {
                startedRelay = ProxyRelay.tunnellingTo(proxy, settings.address().authority(), settings.connectTimeout());
                builder.proxy(HttpClient.Builder.NO_PROXY);
                String ip = startedRelay.address().getAddress().getHostAddress();
                relayAuthority = (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + startedRelay.address().getPort();
            } else if (proxy.authenticates()) {
                startedRelay = new ProxyRelay(proxy, settings.address().authority(), settings.connectTimeout());
                builder.proxy(ProxySelector.of(startedRelay.address()));
            } else {
                builder.proxy(ProxySelector.of(InetSocketAddress.createUnresolved(proxy.host(), proxy.port())));
            }
            this.client = builder.build();
            this.relay = startedRelay;
            this.viaRelay = relayAuthority;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (startedRelay != null) {
                startedRelay.close();
            }
            executor.shutdownNow();
            throw e;
        }
    }

    private static ExecutorService newExecutor(String prefix) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // up to 8 threads, idle ones end after 10 s: the agent makes few requests, and holds at most a
        // tunnel and a registration at a time
        ThreadPoolExecutor pool = new ThreadPoolExecutor(8, 8, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                factory);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    EndpointSettings settings() {
        return settings;
    }

    @Override
    public URI baseUri() {
        return viaRelay == null ? settings.address().baseUri() : URI.create("https://" + viaRelay);
    }

    @Override
    public URI webSocketUri(String path) {
        URI uri = settings.address().webSocketUri(path);
        return viaRelay == null ? uri : URI.create("wss://" + viaRelay + path);
    }

    /**
     * @return why the proxy last refused to tunnel to the cloud (its status line, or why it could not be
     *         reached), when the client takes a relay for the cloud and so sees only a broken connection; else null
     */
    @Override
    public String proxyFailure() {
        return viaRelay == null ? null : relay.lastFailure();
    }

    @Override
    public String displayUrl() {
        return settings.address().display();
    }

    @Override
    public HttpClient httpClient() {
        return client;
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.close();
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "CloudEndpoint[" + settings.describe() + "]";
    }
}
