/**
 * The credential vault: the device's identity (Device ID, API key), kept encrypted at rest, and the
 * registration request that is waiting to be confirmed.
 */
@Export
@Version("1.3.0")
package io.edgeflow.api.vault;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
