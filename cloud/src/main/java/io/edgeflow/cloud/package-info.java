/**
 * The EdgeFlow reference cloud: the SaaS side of provisioning, as a standalone Java 17 application.
 * {@link io.edgeflow.cloud.Main} runs the server or the admin CLI.
 */
package io.edgeflow.cloud;
