package io.edgeflow.provisioning.internal;

import java.io.IOException;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a property from the SaaS configuration if its value passes a test (a used code, an adopted key).
 * Threading: called on the provisioning worker only.
 */
@FunctionalInterface
interface ConfigEditor {
    /**
     * @param property the property
     * @param onlyIf removed only if its current value passes (it may have changed meanwhile)
     * @throws IOException if Config Admin fails
     */
    void remove(String property, Predicate<Object> onlyIf) throws IOException;

    /**
     * As {@link #remove}, with a failure logged rather than thrown: the removal is tidying up, never a reason
     * to stop provisioning.
     *
     * @param property the property
     * @param onlyIf removed only if its current value passes
     */
    default void removeQuietly(String property, Predicate<Object> onlyIf) {
        try {
            remove(property, onlyIf);
        } catch (IOException | RuntimeException e) {
            Logger log = LoggerFactory.getLogger(ConfigEditor.class);
            log.warn("Could not remove {} from the configuration {}: {}", property, SaasConfiguration.PID,
                    e.getMessage());
        }
    }
}
