package io.edgeflow.config.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Metatype of the link to the EdgeFlow cloud ({@code io.edgeflow.saas}).
 */
@ObjectClassDefinition(pid = Setting.SAAS_PID, name = "EdgeFlow cloud (SaaS)",
        description = "How this gateway reaches the EdgeFlow cloud.")
@interface SaasConfiguration {
    @AttributeDefinition(name = "Enabled",
            description = "Connect this gateway to the EdgeFlow cloud. Environment variable EDGEFLOW_SAAS_ENABLED.")
    boolean enabled() default false;

    @AttributeDefinition(name = "Cloud URL",
            description = "Address of the EdgeFlow cloud, as host:port or https://host:port. Environment variable "
                    + "EDGEFLOW_SAAS_URL.")
    String url() default "saas.edgx.cloud:443";
}
