package io.edgeflow.cloud.updates;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A publisher's Ed25519 public key as docs/updates.md writes it: {@code ed25519:} + base64 of its X.509
 * SubjectPublicKeyInfo DER (44 bytes); its id, the first 16 hex digits of SHA-256 of that DER; and what is signed
 * for an artifact, {@code edgeflow-artifact:v1:<sha256>}. The JDK's own Ed25519, nothing else.
 *
 * @param key the public key
 * @param text its {@code ed25519:...} form
 * @param id its key id
 */
public record PublisherKey(PublicKey key, String text, String id) {
    /** The prefix of a written public key. */
    public static final String PREFIX = "ed25519:";
    private static final int SPKI_LENGTH = 44;

    /**
     * @param text {@code ed25519:<base64>}
     * @return the key
     * @throws IllegalArgumentException with a message for a person if it is not one
     */
    public static PublisherKey parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a public key is written 'ed25519:' followed by base64");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the public key after 'ed25519:' is not base64");
        }
        if (der.length != SPKI_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key is " + SPKI_LENGTH + " bytes of X.509 DER, not "
                    + der.length);
        }
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            return of(key);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the public key is not an Ed25519 key");
        }
    }

    /**
     * @param key an Ed25519 public key
     * @return it, with its text and id
     */
    public static PublisherKey of(PublicKey key) {
        byte[] der = key.getEncoded();
        return new PublisherKey(key, PREFIX + Base64.getEncoder().encodeToString(der), keyId(der));
    }

    /** @return the first 16 hex digits of SHA-256 of the DER */
    static String keyId(byte[] der) {
        return HexFormat.of().formatHex(sha256(der)).substring(0, 16);
    }

    /**
     * @param artifactSha256 64 lower-case hex digits
     * @return the bytes a publisher signs for that artifact
     */
    public static byte[] signedBytes(String artifactSha256) {
        return ("edgeflow-artifact:v1:" + artifactSha256).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param artifactSha256 the artifact
     * @param signatureBase64 the signature, base64
     * @return true if it is this key's signature of that artifact
     */
    public boolean verifies(String artifactSha256, String signatureBase64) {
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            return false;
        }
        try {
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(key);
            v.update(signedBytes(artifactSha256));
            return v.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * @param privateKey an Ed25519 private key
     * @param artifactSha256 the artifact
     * @return the signature, base64
     * @throws InvalidKeyException if the key is not an Ed25519 private key
     */
    public static String sign(PrivateKey privateKey, String artifactSha256) throws InvalidKeyException {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(signedBytes(artifactSha256));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
