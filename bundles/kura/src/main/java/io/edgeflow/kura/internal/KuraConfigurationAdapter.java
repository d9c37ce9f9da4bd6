package io.edgeflow.kura.internal;

import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes EdgeFlow's settings appear in Eclipse Kura's configuration UI. Kura 5's ConfigurationService lists only the
 * PIDs of services registered as {@code org.eclipse.kura.configuration.ConfigurableComponent} (a marker interface)
 * with {@code service.pid} and {@code kura.service.pid}; our components are plain DS components configured through
 * Config Admin, so this bundle registers that marker service on their behalf, one per PID with a metatype Kura can read.
 * Where the package is not wired (standalone agent, Karaf) it logs one INFO line and does nothing.
 *
 * <p>The PIDs come from the bundles themselves (their metatype), so that no list is written out here: a new
 * configurable EdgeFlow bundle appears in Kura without a change to this one. The services must be registered by hand:
 * how many there are is known only at run time.
 */
@Component(service = {}, immediate = true)
public final class KuraConfigurationAdapter {
    static final String NOT_WIRED = "No Eclipse Kura configuration API here (package " + KuraApi.PACKAGE
            + " not wired): EdgeFlow's settings stay with Config Admin, nothing registered for Kura's UI";

    private static final Logger LOG = LoggerFactory.getLogger(KuraConfigurationAdapter.class);

    private final BundleTracker<List<AutoCloseable>> tracker;

    /**
     * @param context this bundle's context: its wiring says whether Kura is there, and it registers the services
     * @param metaType where each bundle's PIDs are read, as Kura reads them
     */
    @Activate
    public KuraConfigurationAdapter(BundleContext context, @Reference MetaTypeService metaType) {
        if (!KuraApi.wired(context.getBundle().adapt(BundleWiring.class))) {
            LOG.info(NOT_WIRED);
            this.tracker = null;
            return;
        }
        PidTracker pids = new PidTracker(metaType, properties -> {
            ServiceRegistration<?> registration = context.registerService(KuraApi.CONFIGURABLE_COMPONENT,
                    new KuraSettings(), properties);
            return registration::unregister;
        });
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, pids);
        this.tracker.open();
    }

    /** Unregisters every marker service: Kura's ConfigurationService then forgets the PIDs until we are back. */
    @Deactivate
    void deactivate() {
        if (tracker != null) {
            tracker.close();
        }
    }
}
