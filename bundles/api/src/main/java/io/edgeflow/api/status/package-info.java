/**
 * What the agent reports about its link to the EdgeFlow cloud: the shape served by {@code GET /api/v1/saas/status}.
 */
@Export
@Version("1.1.0")
package io.edgeflow.api.status;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
