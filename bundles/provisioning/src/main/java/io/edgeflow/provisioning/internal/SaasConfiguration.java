package io.edgeflow.provisioning.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Metatype of the link to the EdgeFlow cloud ({@code io.edgeflow.saas}). This bundle owns the PID: the
 * provisioner and the cloud endpoint read it, the status API and the tunnel read parts of it.
 */
@ObjectClassDefinition(id = SaasConfiguration.PID, name = "EdgeFlow cloud (SaaS)",
        description = "How this gateway reaches the EdgeFlow cloud and how it is provisioned: with a one-time "
                + "provisioning code, or with a Device ID and API key created by an administrator. A number out of "
                + "its range is refused: its default applies and GET /api/v1/saas/status shows the error "
                + "invalid_configuration.")
@interface SaasConfiguration {
    /** The PID. */
    String PID = "io.edgeflow.saas";
    /**
     * The secrets' properties are private (a leading '.'; the method names' leading '_' maps to it, DS 1.4
     * 112.8.2.1), so Declarative Services never copies them onto a service where a console shows them.
     */
    String PROVISIONING_CODE = ".provisioning_code";
    /** The pre-provisioned API key's property; private. */
    String API_KEY = ".api_key";
    /** The proxy password's property; private. */
    String PROXY_PASSWORD = ".proxy_password";

    @AttributeDefinition(name = "Enabled",
            description = "Connect this gateway to the EdgeFlow cloud. While off, nothing contacts the cloud. "
                    + "Environment variable EDGEFLOW_SAAS_ENABLED.")
    boolean enabled() default false;

    @AttributeDefinition(name = "Cloud URL",
            description = "Address of the EdgeFlow cloud, as host:port (saas.edgx.cloud:443) or https://host:port. "
                    + "Plain http:// is refused: the cloud is reached over HTTPS only. Environment variable "
                    + "EDGEFLOW_SAAS_URL.")
    String url() default "saas.edgx.cloud:443";

    @AttributeDefinition(name = "Provisioning code",
            description = "One-time code from the dashboard (PROV-XXXX-XXXX). Used once: after the device is "
                    + "provisioned it is removed from here, and the same code in the env file is ignored. A new, "
                    + "different code provisions the device again and replaces its credentials once the new ones "
                    + "are stored. Environment variable EDGEFLOW_PROVISIONING_CODE. Kept encrypted at rest.",
            type = AttributeType.PASSWORD)
    String _provisioning__code() default "";

    @AttributeDefinition(name = "Device ID",
            description = "Pre-provisioned Device ID (dev_...), given together with the API key. Environment "
                    + "variable EDGEFLOW_DEVICE_ID.")
    String device__id() default "";

    @AttributeDefinition(name = "API key",
            description = "Pre-provisioned API key (efk_...). Moved into the encrypted credential vault at once and "
                    + "then removed from this configuration, so no plain copy stays in framework storage. "
                    + "Environment variable EDGEFLOW_API_KEY.",
            type = AttributeType.PASSWORD)
    String _api__key() default "";

    @AttributeDefinition(name = "CA file",
            description = "Absolute path of a PEM file with CA certificates trusted in addition to the JDK's, for "
                    + "example the reference cloud's ca.pem. Certificates and host names are always verified. "
                    + "Empty: the JDK's trust only. Environment variable EDGEFLOW_SAAS_CA_FILE.")
    String ca__file() default "";

    @AttributeDefinition(name = "HTTPS proxy",
            description = "HTTP proxy for the connections to the cloud (CONNECT), as http://host:port, optionally "
                    + "http://user@host:port with the password below (a password written here is moved there). "
                    + "Empty: the https_proxy / HTTPS_PROXY "
                    + "environment variables (and no_proxy) apply; 'direct': no proxy at all. Environment variable "
                    + "EDGEFLOW_HTTPS_PROXY.")
    String proxy() default "";

    @AttributeDefinition(name = "Proxy password",
            description = "Password of the proxy user (Basic authentication). Empty: the password in the proxy "
                    + "address, if any. Kept encrypted at rest.",
            type = AttributeType.PASSWORD)
    String _proxy__password() default "";

    @AttributeDefinition(name = "Connect timeout (seconds)",
            description = "How long to wait for a TCP and TLS connection to the cloud (or the proxy). 1 to 300.", min = "1",
            max = "300")
    int connect__timeout__seconds() default 10;

    @AttributeDefinition(name = "Request timeout (seconds)",
            description = "How long to wait for the cloud's answer to one request. 1 to 600.", min = "1", max = "600")
    int request__timeout__seconds() default 30;

    @AttributeDefinition(name = "First retry delay (milliseconds)",
            description = "Base of the exponential backoff after a transient failure (no network, timeout, 5xx, "
                    + "429): each retry waits a random time up to base x 2^attempt, capped below. 1 to 600000.",
            min = "1", max = "600000")
    int retry__initial__delay__ms() default 1000;

    @AttributeDefinition(name = "Longest retry delay (seconds)",
            description = "Cap of the backoff between retries; transient failures are retried for ever. "
                    + "1 to 86400. Environment variable EDGEFLOW_SAAS_RETRY_MAX_DELAY.", min = "1", max = "86400")
    int retry__max__delay__seconds() default 300;
}
