package io.edgeflow.endpoint.internal;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a connection to the cloud is made of: where the cloud is, which CAs are trusted beside the JDK's,
 * which proxy it goes through, and the connect timeout. A {@code CloudEndpoint} is replaced exactly when
 * these change (equality), not when another SaaS setting such as the provisioning code does.
 *
 * @param address the cloud
 * @param caFile the CA file, or null
 * @param caCertificates the certificates read from it (empty without one); compared, so an edited file counts
 * @param proxy the proxy, or null for a direct connection
 * @param connectTimeout TCP and TLS connect timeout
 */
public record EndpointSettings(CloudAddress address, Path caFile, List<X509Certificate> caCertificates, ProxySettings proxy,
        Duration connectTimeout) {

    public EndpointSettings {
        Objects.requireNonNull(address, "address");
        caCertificates = List.copyOf(caCertificates);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /** @return for the log: the address, the extra trust and the proxy, no secret */
    String describe() {
        return "https://" + address.authority()
                + (caFile == null ? "" : ", trusting " + caFile + " besides the JDK's CAs")
                + (proxy == null ? "" : ", through the proxy " + proxy.describe());
    }
}
