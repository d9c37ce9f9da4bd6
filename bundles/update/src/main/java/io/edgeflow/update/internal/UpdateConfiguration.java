package io.edgeflow.update.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of remote updates ({@code io.edgeflow.update}). A change reactivates the component: a deployment under
 * way goes on from its journal, as after a restart (an apply is rolled back, a health check completed).
 */
// id = the PID: Eclipse Kura reads a PID's metatype only from OSGI-INF/metatype/<pid>.xml, OCD id = PID (docs/kura.md)
@ObjectClassDefinition(id = UpdateComponent.PID, pid = UpdateComponent.PID, name = "EdgeFlow remote updates",
        description = "Deployments from the EdgeFlow cloud: bundles installed, updated or uninstalled, each artifact "
                + "verified (SHA-256 and an Ed25519 signature by a trusted publisher key) before anything changes, "
                + "health-checked, and rolled back by itself when the check fails. Without a trusted key every "
                + "deployment is refused (updates_disabled).")
@interface UpdateConfiguration {
    @AttributeDefinition(name = "Trusted publisher keys",
            description = "Ed25519 public keys whose signatures this device accepts, each written ed25519:<base64 of "
                    + "its X.509 SubjectPublicKeyInfo> (the cloud shows them: GET /api/v1/admin/release-key, or the "
                    + "CLI's artifacts sign). Empty: remote updates are disabled. Environment variable "
                    + "EDGEFLOW_UPDATE_TRUSTED_KEYS (comma separated).", cardinality = 100)
    String[] trusted__keys() default {};

    @AttributeDefinition(name = "Largest artifact (bytes)",
            description = "The largest bundle a deployment may download, in bytes; a larger one fails the "
                    + "deployment (artifact_too_large) before anything changes. 1024 to 1073741824.",
            min = "1024", max = "1073741824")
    int max__artifact__bytes() default 32 * 1024 * 1024;

    @AttributeDefinition(name = "Health check deadline (s)",
            description = "How long the health check after a deployment may take when the deployment names no "
                    + "deadline of its own: every bundle that was active is active again, every EdgeFlow component "
                    + "that was satisfied is again, the local API answers and the tunnel is online if it was. Not "
                    + "healthy by then: rolled back. 1 to 3600.", min = "1", max = "3600")
    int health__timeout__seconds() default 60;
}
