package io.edgeflow.kura.internal;

import org.eclipse.kura.configuration.ConfigurableComponent;

/**
 * The object registered under Kura's marker interface, one per EdgeFlow PID. It holds nothing: Kura's
 * ConfigurationService reads only the service properties ({@code service.pid}, {@code kura.service.pid}) and then works
 * through Config Admin and the PID's metatype, which the EdgeFlow component itself consumes. This class is loaded
 * only once {@link KuraApi#wired} said the package is there: without Kura, loading it would fail.
 */
final class KuraSettings implements ConfigurableComponent {
}
