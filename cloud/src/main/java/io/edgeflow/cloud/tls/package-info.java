/**
 * TLS for the reference cloud: its local certificate authority, and the server identity loaded from
 * PEM files.
 */
package io.edgeflow.cloud.tls;
