package io.edgeflow.update.internal;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * Provides the agent's data directory to {@link UpdateComponent}: {@code data_dir} of {@code io.edgeflow.agent}, else
 * the one the launcher chose, else the default.
 * <p>
 * A component of its own so that each component of this bundle has exactly one configuration PID. Felix SCR (2.2.18,
 * and its sources to this day) configures a component of several PIDs only up to the first of them that has no
 * configuration: with {@code configurationPid = {"io.edgeflow.agent", "io.edgeflow.update"}} and no
 * {@code io.edgeflow.agent} configuration (the agent started without {@code EDGEFLOW_DATA_DIR}), every start of this
 * bundle (its own update, an agent restart) activated the update component without its {@code io.edgeflow.update}
 * configuration, so without its trusted keys (docs/updates-device.md).
 */
@Component(service = AgentDataDirectory.class, configurationPid = UpdateComponent.AGENT_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class AgentDataDirectory {
    /** The one property of the agent-wide configuration read here (its metatype is the config bundle's). */
    @interface AgentSettings {
        String data__dir() default "";
    }

    private final Path path;

    /**
     * @param agent the agent configuration, for {@code data_dir}
     * @param context for the data directory the launcher chose
     * @throws IllegalArgumentException if {@code data_dir} is not an absolute path
     */
    @Activate
    public AgentDataDirectory(AgentSettings agent, BundleContext context) {
        this.path = UpdateComponent.dataDir(agent.data__dir(), context.getProperty(UpdateComponent.DATA_DIR_PROPERTY));
    }

    /** @return the data directory, absolute and normalised */
    Path path() {
        return path;
    }
}
