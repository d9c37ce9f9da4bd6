package io.edgeflow.provisioning.internal;

import java.time.Clock;
import java.util.Dictionary;
import java.util.Hashtable;

import io.edgeflow.api.cloud.CloudEndpoint;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides the {@link CloudEndpoint} while SaaS is enabled with a usable address, trust and proxy, and
 * replaces it (a new service, the old one closed) when one of those changes; other SaaS settings (the
 * provisioning code, say) leave it alone, so the tunnel's static reference is not disturbed by them.
 * <p>
 * The service is registered through the bundle context rather than declared: whether it exists depends on
 * the values of the configuration, which Declarative Services cannot express. So the bundle declares the
 * service as a capability itself: resolvers that honour service requirements (Karaf's feature resolver, bnd's)
 * would otherwise refuse the tunnel, which requires a CloudEndpoint.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.edgeflow.api.cloud.CloudEndpoint",
        uses = CloudEndpoint.class)
@Component(service = {}, immediate = true, configurationPid = SaasConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class CloudEndpointPublisher {
    /** Service property: the cloud's address as configured. */
    static final String URL_PROPERTY = "edgeflow.saas.url";

    private static final Logger LOG = LoggerFactory.getLogger(CloudEndpointPublisher.class);

    private final BundleContext context;
    private final Clock clock;
    private HttpCloudEndpoint current;
    private ServiceRegistration<CloudEndpoint> registration;
    private String lastProblem;
    /** How many endpoints this publisher made: names their threads apart (no static counter). */
    private int generation;

    /**
     * @param config the SaaS configuration
     * @param context this bundle's context, to register the endpoint
     */
    @Activate
    public CloudEndpointPublisher(SaasConfiguration config, BundleContext context) {
        this.context = context;
        this.clock = Clock.systemUTC();
        apply(SaasSettings.of(config, System.getenv()));
    }

    @Modified
    void modified(SaasConfiguration config) {
        apply(SaasSettings.of(config, System.getenv()));
    }

    @Deactivate
    void deactivate() {
        withdraw();
    }

    private synchronized void apply(SaasSettings settings) {
        EndpointSettings wanted = settings.enabled() ? settings.endpoint() : null;
        if (current != null && current.settings().equals(wanted)) {
            return;
        }
        withdraw();
        if (wanted == null) {
            if (settings.enabled() && settings.problem() != null && !settings.problem().message().equals(lastProblem)) {
                LOG.warn("No connection to the cloud: {}", settings.problem().message());
                lastProblem = settings.problem().message();
            }
            return;
        }
        lastProblem = null;
        HttpCloudEndpoint endpoint;
        try {
            endpoint = new HttpCloudEndpoint(wanted, clock, ++generation);
        } catch (Exception e) {
            LOG.error("Cannot set up the connection to the cloud {}: {}", wanted.describe(), e.toString());
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(URL_PROPERTY, endpoint.displayUrl());
        properties.put(Constants.SERVICE_DESCRIPTION, "EdgeFlow cloud at " + endpoint.displayUrl());
        current = endpoint;
        registration = context.registerService(CloudEndpoint.class, endpoint, properties);
        LOG.info("Cloud endpoint: {}", wanted.describe());
    }

    private void withdraw() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
