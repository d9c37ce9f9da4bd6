package io.edgeflow.kura.internal;

import java.util.List;

import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.namespace.PackageNamespace;

/** What this adapter knows of Eclipse Kura's configuration API, by name only (its jar is not on Maven Central). */
final class KuraApi {
    /** The package this bundle imports optionally. */
    static final String PACKAGE = "org.eclipse.kura.configuration";
    /** The marker interface Kura's ConfigurationService tracks (0..n, dynamic). */
    static final String CONFIGURABLE_COMPONENT = PACKAGE + ".ConfigurableComponent";
    /** The property Kura's ConfigurationService keys its UI, its snapshots and its Config Admin writes by. */
    static final String KURA_SERVICE_PID = "kura.service.pid";

    private KuraApi() {
    }

    /**
     * @param wiring this bundle's wiring, or null when it is not resolved
     * @return whether the optional import of {@link #PACKAGE} is wired to an exporter (Kura's API bundle)
     */
    static boolean wired(BundleWiring wiring) {
        if (wiring == null) {
            return false;
        }
        List<BundleWire> wires = wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE);
        return wires != null && wires.stream().anyMatch(
                wire -> PACKAGE.equals(wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)));
    }
}
