/**
 * The connection to the EdgeFlow cloud: where it is, and an HTTP client that applies the agent's
 * TLS and proxy rules. Provisioning and the tunnel both reach the cloud through it.
 */
@Export
@Version("1.2.0")
package io.edgeflow.api.cloud;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
