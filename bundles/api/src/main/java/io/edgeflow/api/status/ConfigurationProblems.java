package io.edgeflow.api.status;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Published by a component that refuses part of its configuration (a value out of its range, a combination
 * that cannot work) and keeps running on other values instead: the last good ones, or the defaults when it
 * starts. The status API shows each problem as its error, with the code {@value #INVALID_CONFIGURATION}, so
 * that an operator who reads the status (not the framework's log) learns that a setting did not take effect.
 */
@ProviderType
public interface ConfigurationProblems {
    /** The error code of a refused configuration value. */
    String INVALID_CONFIGURATION = "invalid_configuration";

    /**
     * @return the configuration values refused now, each an error with the code {@value #INVALID_CONFIGURATION}
     *         whose message names the PID, the property, the value refused and the value used instead; empty
     *         while the configuration is used as given. Never null, never blocks.
     */
    List<StatusError> problems();
}
