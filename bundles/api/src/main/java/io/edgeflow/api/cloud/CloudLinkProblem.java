package io.edgeflow.api.cloud;

import io.edgeflow.api.status.StatusError;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered, instead of a {@link CloudEndpoint}, while SaaS is enabled but the link's settings (the cloud's
 * URL, the CA file, the proxy) cannot be used; replaced when the problem changes, unregistered when it is
 * gone. Provisioning shows it as its own state's error, with the same stable codes as before the endpoint had
 * its own bundle: {@value #URL_INVALID}, {@value #CA_FILE_INVALID}, {@value #PROXY_INVALID}.
 *
 * @since 1.1
 */
@ProviderType
public interface CloudLinkProblem {
    /** Error code: the cloud URL cannot be used (plain http, no host, a path...). */
    String URL_INVALID = "saas_url_invalid";
    /** Error code: the CA file cannot be read or holds no certificate. */
    String CA_FILE_INVALID = "ca_file_invalid";
    /** Error code: the proxy setting cannot be used. */
    String PROXY_INVALID = "proxy_invalid";

    /** @return the problem, with one of the codes above and a message naming the setting; never null */
    StatusError error();
}
