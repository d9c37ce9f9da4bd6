package io.edgeflow.endpoint.internal;

import java.time.Clock;
import java.util.Dictionary;
import java.util.Hashtable;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.cloud.CloudLinkProblem;
import io.edgeflow.api.status.StatusError;

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
 * provisioning code, say) leave it alone, so the tunnel's static reference is not disturbed by them. While
 * SaaS is enabled but those settings cannot be used, it registers a {@link CloudLinkProblem} instead, which
 * provisioning shows in its state.
 * <p>
 * The services are registered through the bundle context rather than declared: whether they exist depends on
 * the values of the configuration, which Declarative Services cannot express. So the bundle declares the
 * endpoint as a capability itself: resolvers that honour service requirements (Karaf's feature resolver, bnd's)
 * would otherwise refuse the tunnel, which requires a CloudEndpoint.
 * <p>
 * Threading: {@link #apply} and {@link #withdraw} run under this object's lock (activation, modification and
 * deactivation come from Declarative Services' threads).
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.edgeflow.api.cloud.CloudEndpoint",
        uses = CloudEndpoint.class)
@Component(service = {}, immediate = true, configurationPid = LinkConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class CloudEndpointPublisher {
    /** Service property: the cloud's address as configured. */
    static final String URL_PROPERTY = "edgeflow.saas.url";

    private static final Logger LOG = LoggerFactory.getLogger(CloudEndpointPublisher.class);

    private final BundleContext context;
    private final Clock clock;
    private HttpCloudEndpoint current;
    private ServiceRegistration<CloudEndpoint> registration;
    private StatusError problem;
    private ServiceRegistration<CloudLinkProblem> problemRegistration;
    /** How many endpoints this publisher made: names their threads apart (no static counter). */
    private int generation;

    /**
     * @param config the link's part of the SaaS configuration
     * @param context this bundle's context, to register the endpoint
     */
    @Activate
    public CloudEndpointPublisher(LinkConfiguration config, BundleContext context) {
        this.context = context;
        this.clock = Clock.systemUTC();
        apply(LinkSettings.of(config, System.getenv()));
    }

    @Modified
    void modified(LinkConfiguration config) {
        apply(LinkSettings.of(config, System.getenv()));
    }

    @Deactivate
    synchronized void deactivate() {
        withdraw();
        publishProblem(null);
    }

    private synchronized void apply(LinkSettings settings) {
        publishProblem(settings.enabled() ? settings.problem() : null);
        EndpointSettings wanted = settings.enabled() ? settings.endpoint() : null;
        if (current != null && current.settings().equals(wanted)) {
            return;
        }
        withdraw();
        if (wanted == null) {
            return;
        }
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

    /** Registers the problem (replacing another), or unregisters it with null; an unchanged one stays. */
    private void publishProblem(StatusError next) {
        String before = problem == null ? null : problem.code() + problem.message();
        String after = next == null ? null : next.code() + next.message();
        if (java.util.Objects.equals(before, after)) {
            return;
        }
        if (problemRegistration != null) {
            unregister(problemRegistration);
            problemRegistration = null;
        }
        problem = next;
        if (next != null) {
            LOG.warn("No connection to the cloud: {}", next.message());
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put(Constants.SERVICE_DESCRIPTION, "EdgeFlow cloud settings refused: " + next.code());
            CloudLinkProblem service = () -> next;
            problemRegistration = context.registerService(CloudLinkProblem.class, service, properties);
        }
    }

    private void withdraw() {
        if (registration != null) {
            unregister(registration);
            registration = null;
        }
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private static void unregister(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
    }
}
