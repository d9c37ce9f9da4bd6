/**
 * Owner-only files that hold a random key, created once. A build-time library: bundles embed a private copy
 * (bnd {@code -conditionalpackage}); it is never deployed or exported.
 */
package io.edgeflow.keyfile;
