/**
 * The provisioning rules of the reference cloud: codes, registration with its pending/confirm
 * protocol, API keys and their rotation, brute-force limiting.
 */
package io.edgeflow.cloud.provisioning;
