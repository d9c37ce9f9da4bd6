package io.edgeflow.api.facts;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Describes the device's hardware. Never throws: what it cannot read it leaves out and reports in
 * the warnings.
 */
@ProviderType
public interface HardwareFactsService {
    /**
     * @return the hardware facts, never null
     */
    HardwareFacts hardwareFacts();
}
