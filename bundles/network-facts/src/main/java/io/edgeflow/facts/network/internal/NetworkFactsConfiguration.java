package io.edgeflow.facts.network.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the network facts ({@code io.edgeflow.facts.network}).
 */
@ObjectClassDefinition(id = NetworkFactsComponent.PID, name = "EdgeFlow network facts",
        description = "Where the network facts (host name, interfaces, primary IP and MAC address, connection "
                + "type) are read from, and how long a reading is reused.")
@interface NetworkFactsConfiguration {
    @AttributeDefinition(name = "System root",
            description = "Absolute path of the root below which /proc and /sys are read. '/' on the device "
                    + "itself, where addresses come from the running kernel; below any other root they come from "
                    + "the copied /proc/net/fib_trie and /proc/net/if_inet6. Environment variable EDGEFLOW_SYSROOT.")
    String sysroot() default "/";

    @AttributeDefinition(name = "Cache time (seconds)", // property cache_seconds
            description = "How long one reading of the network facts is reused before the files are read again; "
                    + "0 reads them on every request. From 0 to 3600; a value out of range is refused (the default "
                    + "applies and GET /api/v1/saas/status shows invalid_configuration).", min = "0", max = "3600")
    int cache__seconds() default 5;
}
