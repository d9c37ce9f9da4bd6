/**
 * Durable storage of the reference cloud: codes, devices, key hashes, admin token hashes and the audit
 * trail, in an embedded SQLite database through JDBC with portable SQL.
 */
package io.edgeflow.cloud.store;
