package io.edgeflow.cloud.store;

/**
 * A publisher's Ed25519 signature of an artifact, verified before it was stored.
 *
 * @param keyId the key's id (16 hex digits)
 * @param publicKey {@code ed25519:...}
 * @param signature base64
 * @param addedAt epoch ms
 */
public record SignatureRecord(String keyId, String publicKey, String signature, long addedAt) {
}
