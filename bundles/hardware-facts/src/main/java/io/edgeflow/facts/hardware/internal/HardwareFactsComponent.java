package io.edgeflow.facts.hardware.internal;

import java.nio.file.Path;

import io.edgeflow.api.facts.HardwareFacts;
import io.edgeflow.api.facts.HardwareFactsService;

import io.edgeflow.facts.files.RootFiles;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides {@link HardwareFactsService}: the device's hardware, read once per activation.
 */
@Component(service = HardwareFactsService.class, configurationPid = HardwareFactsComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = HardwareFactsConfiguration.class)
public final class HardwareFactsComponent implements HardwareFactsService {
    static final String PID = "io.edgeflow.facts.hardware";
    private static final Logger LOG = LoggerFactory.getLogger(HardwareFactsComponent.class);

    private final HardwareFacts facts;

    /**
     * Reads the facts. The hardware does not change while the agent runs; a changed root (a new
     * configuration) activates the component again.
     *
     * @param config the configuration
     */
    @Activate
    public HardwareFactsComponent(HardwareFactsConfiguration config) {
        this(sysroot(config.sysroot()), Jvm.current());
    }

    HardwareFactsComponent(Path root, Jvm jvm) {
        long start = System.nanoTime();
        this.facts = new HardwareCollector(root, jvm).collect();
        LOG.debug("Hardware facts read below {} in {} ms", root, (System.nanoTime() - start) / 1_000_000);
        facts.warnings().forEach(w -> LOG.warn("Hardware facts: {}", w));
    }

    @Override
    public HardwareFacts hardwareFacts() {
        return facts;
    }

    /** The checked {@code sysroot}; see {@link RootFiles#sysroot}. */
    static Path sysroot(String value) {
        return RootFiles.sysroot(value);
    }
}
