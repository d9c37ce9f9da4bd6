/**
 * Env files ({@code KEY=VALUE} lines) read without ever showing a value. A build-time library: the configuration
 * import bundle embeds a private copy (bnd {@code -conditionalpackage}), the launcher carries it on its class path;
 * it is never deployed or exported.
 */
package io.edgeflow.envfile;
