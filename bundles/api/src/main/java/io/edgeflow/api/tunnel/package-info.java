/**
 * The WebSocket tunnel that keeps a provisioned device connected to the cloud.
 */
@Export
@Version("1.2.0")
package io.edgeflow.api.tunnel;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
