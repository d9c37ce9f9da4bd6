/** The HTTPS server of the reference cloud and its JSON API. */
package io.edgeflow.cloud.server;
