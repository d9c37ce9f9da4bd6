/**
 * Provisioning: turning a one-time code, or pre-provisioned credentials, into a device identity.
 */
@Export
@Version("1.4.0")
package io.edgeflow.api.provisioning;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
