package io.edgeflow.kura.internal;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the active EdgeFlow bundles ({@code io.edgeflow.*}), as Kura's own metatype tracker follows active bundles,
 * and keeps one Kura ConfigurableComponent registered per PID that Kura can show, for as long as the bundle that
 * describes it is active.
 */
final class PidTracker implements BundleTrackerCustomizer<List<AutoCloseable>> {
    /** Registers one service under Kura's marker interface; closing the result unregisters it. */
    @FunctionalInterface
    interface Registrar {
        AutoCloseable register(Dictionary<String, Object> properties);
    }

    static final String EDGEFLOW_PREFIX = "io.edgeflow.";

    private static final Logger LOG = LoggerFactory.getLogger(PidTracker.class);

    private final MetaTypeService metaType;
    private final Registrar registrar;

    PidTracker(MetaTypeService metaType, Registrar registrar) {
        this.metaType = metaType;
        this.registrar = registrar;
    }

    /** The properties Kura's ConfigurationService reads: both PIDs are the EdgeFlow PID (not a factory). */
    static Dictionary<String, Object> properties(String pid, Bundle describedBy) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_PID, pid);
        properties.put(KuraApi.KURA_SERVICE_PID, pid);
        properties.put(Constants.SERVICE_DESCRIPTION, "EdgeFlow settings " + pid + " (metatype in "
                + describedBy.getSymbolicName() + ") for Kura's configuration UI");
        return properties;
    }

    @Override
    public List<AutoCloseable> addingBundle(Bundle bundle, BundleEvent event) {
        String name = bundle.getSymbolicName();
        if (name == null || !name.startsWith(EDGEFLOW_PREFIX)) {
            return null;
        }
        ConfigurablePids pids = ConfigurablePids.of(bundle, metaType.getMetaTypeInformation(bundle));
        for (String unreadable : pids.unreadable()) {
            LOG.warn("Kura configuration: not listed, Kura cannot read this metatype of {}: {}", name, unreadable);
        }
        if (pids.listed().isEmpty()) {
            return pids.unreadable().isEmpty() ? null : List.of();
        }
        List<AutoCloseable> registrations = new ArrayList<>();
        for (String pid : pids.listed()) {
            registrations.add(registrar.register(properties(pid, bundle)));
        }
        LOG.info("Kura configuration: {} listed for Kura's configuration UI ({})", String.join(", ", pids.listed()),
                name);
        return registrations;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, List<AutoCloseable> registrations) {
        // the tracked state is ACTIVE only: nothing changes while the bundle stays active
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, List<AutoCloseable> registrations) {
        for (AutoCloseable registration : registrations) {
            try {
                registration.close();
            } catch (Exception alreadyGone) {
                // unregistered already (this bundle stopping at the same time): nothing left to release
            }
        }
    }
}
