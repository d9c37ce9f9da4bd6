/**
 * What EdgeFlow says about a bundle jar wherever it meets one: its SHA-256 and whether it is EdgeFlow's. A build-time
 * library: bundles embed a private copy (bnd {@code -conditionalpackage}); it is never deployed or exported.
 */
package io.edgeflow.bundlecontent;
