package io.edgeflow.itests.updates;

import io.edgeflow.api.facts.HardwareFacts;
import io.edgeflow.api.facts.HardwareFactsService;

/**
 * A hardware facts component whose activation throws: packed by {@link io.edgeflow.itests.UpdateIT} into a bundle of
 * its own (never loaded from the test probe), to see a deployment rolled back.
 */
public class ThrowingFacts implements HardwareFactsService {
    /** Always throws, as a broken release would. */
    public ThrowingFacts() {
        throw new IllegalStateException("facts exploded on purpose");
    }

    @Override
    public HardwareFacts hardwareFacts() {
        throw new IllegalStateException("never activated");
    }
}
