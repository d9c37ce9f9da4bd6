/**
 * The secrets the cloud hands out (provisioning codes, API keys, the admin token), their masked forms,
 * and the hashes stored in their place.
 */
package io.edgeflow.cloud.credentials;
