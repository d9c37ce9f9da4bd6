/**
 * Facts that describe the device during provisioning: its hardware and its network connection.
 */
@Export
@Version("1.0.0")
package io.edgeflow.api.facts;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
