package io.edgeflow.facts.hardware.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the hardware facts ({@code io.edgeflow.facts.hardware}).
 */
@ObjectClassDefinition(id = HardwareFactsComponent.PID, name = "EdgeFlow hardware facts",
        description = "Where the hardware facts (board model, CPU cores, RAM, OS, architecture, kernel, serial) "
                + "are read from.")
@interface HardwareFactsConfiguration {
    @AttributeDefinition(name = "System root",
            description = "Absolute path of the root below which /proc and /sys are read. '/' on the device "
                    + "itself; a copy of another machine's /proc and /sys for support and tests. Environment "
                    + "variable EDGEFLOW_SYSROOT.")
    String sysroot() default "/";
}
