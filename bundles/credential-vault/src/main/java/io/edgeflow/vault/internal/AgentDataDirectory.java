package io.edgeflow.vault.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * Provides {@code data_dir} of the agent-wide configuration ({@code io.edgeflow.agent}, whose metatype the config
 * bundle designates) to {@link FileCredentialVault}, as configured (checked there).
 * <p>
 * A component of its own so that each component of this bundle has exactly one configuration PID. Felix SCR (2.2.18,
 * and its sources to this day) configures a component of several PIDs only up to the first of them that has no
 * configuration: with {@code configurationPid = {"io.edgeflow.agent", "io.edgeflow.vault"}} and no
 * {@code io.edgeflow.agent} configuration (the agent started without {@code EDGEFLOW_DATA_DIR}), every start of this
 * bundle (its update, an agent restart) activated the vault without its {@code io.edgeflow.vault} configuration
 * (its key file, its machine identity file) until that configuration changed (docs/updates-device.md).
 */
@Component(service = AgentDataDirectory.class, configurationPid = FileCredentialVault.AGENT_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class AgentDataDirectory {
    /** The one property of the agent-wide configuration read here, with no default of its own. */
    @interface AgentSettings {
        String data__dir() default "";
    }

    private final String configured;

    /** @param agent the agent configuration */
    @Activate
    public AgentDataDirectory(AgentSettings agent) {
        this.configured = agent.data__dir();
    }

    /** @return {@code data_dir} as configured; empty when it is not (the launcher's, or the default, applies) */
    String configured() {
        return configured == null ? "" : configured;
    }
}
