package io.edgeflow.config.internal;

import io.edgeflow.api.vault.DataDirectory;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Metatype of the agent-wide settings ({@code io.edgeflow.agent}), so a console renders a form for them.
 */
// id = the PID: Eclipse Kura reads a PID's metatype only from OSGI-INF/metatype/<pid>.xml, OCD id = PID (docs/kura.md)
@ObjectClassDefinition(id = Setting.AGENT_PID, pid = Setting.AGENT_PID, name = "EdgeFlow agent",
        description = "Agent-wide settings of the EdgeFlow gateway agent.")
@interface AgentConfiguration {
    @AttributeDefinition(name = "Data directory", // property data_dir
            description = "Where the agent keeps its state (credentials, framework storage). Environment variable "
                    + "EDGEFLOW_DATA_DIR. The framework storage location is chosen at start, so a change takes "
                    + "full effect after a restart.")
    String data__dir() default DataDirectory.DEFAULT_PATH;
}
