package io.edgeflow.localapi.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Metatype of the local REST API's own settings ({@code io.edgeflow.localapi}).
 */
@ObjectClassDefinition(id = LocalApiConfiguration.PID, name = "EdgeFlow local API",
        description = "Who may call the endpoints of the local REST API that change something "
                + "(POST /api/v1/saas/provision, PUT /api/v1/config/{pid}) or show the agent's inventory and "
                + "configuration (GET /api/v1/bundles, /api/v1/components, /api/v1/config). The status and the "
                + "device facts (GET) are open to whoever reaches the API.")
@interface LocalApiConfiguration {
    /** The PID. */
    String PID = "io.edgeflow.localapi";

    /**
     * The configuration of the servlets that have no settings (facts, not found, error page): the config bundle puts
     * there only {@code osgi.http.whiteboard.target}, as in {@link #PID} (provisioning) and {@code io.edgeflow.saas}
     * (status), while EDGEFLOW_HTTP_* give the agent an HTTP server of its own (on Kura). One PID each: Felix SCR
     * 2.1.16 (Kura's) did not apply a second PID's configuration to these servlets.
     */
    String HTTP_PID = "io.edgeflow.localapi.http";

    /** The token's property: private (leading '.'), so Declarative Services never copies it onto a service. */
    String API_TOKEN = ".api_token";

    // A secret: never logged, compared as a hash in constant time, and private: the method name's leading '_'
    // maps to '.', so the property is .api_token (DS 1.4, 112.8.2.1) and stays off the service registry.
    @AttributeDefinition(name = "API token",
            description = "Empty: endpoints that change something or show the inventory answer only callers on "
                    + "this machine (loopback; the cloud's requests through the tunnel count as such). Set: they "
                    + "answer any caller that sends 'Authorization: Bearer <token>', and no other, loopback "
                    + "included. Environment variable EDGEFLOW_API_TOKEN. Kept encrypted at rest.",
            type = AttributeType.PASSWORD)
    String _api__token() default "";
}
