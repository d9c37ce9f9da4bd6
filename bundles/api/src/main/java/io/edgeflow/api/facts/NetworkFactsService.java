package io.edgeflow.api.facts;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Describes the device's network connection. Never throws: what it cannot read it leaves out and
 * reports in the warnings.
 */
@ProviderType
public interface NetworkFactsService {
    /**
     * @return fresh (or a few seconds old) network facts, never null
     */
    NetworkFacts networkFacts();
}
