/**
 * Configuration values a component refuses (out of their range) and reports as status errors, the same way in
 * every bundle. A build-time library: provisioning, the tunnel and the network facts each embed a private copy
 * (bnd {@code -conditionalpackage}); it is never deployed or exported.
 */
package io.edgeflow.refusedvalues;
