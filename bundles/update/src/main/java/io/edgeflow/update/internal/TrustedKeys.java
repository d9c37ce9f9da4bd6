package io.edgeflow.update.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.edgeflow.bundlecontent.BundleContent;

/**
 * The publisher keys this device trusts: Ed25519 public keys written {@code ed25519:<base64 SPKI DER>}
 * (UPDATES-CONTRACT.md, "Signatures and trust"). Immutable; safe to share between threads.
 */
final class TrustedKeys {
    static final String PREFIX = "ed25519:";
    /** What is signed for an artifact: this prefix and its SHA-256 in lower-case hex, UTF-8. */
    static final String SIGNED_PREFIX = "edgeflow-artifact:v1:";

    /** A trusted key with its id (the first 16 hex digits of SHA-256 of the SPKI DER). */
    record Key(String id, PublicKey publicKey) {
    }

    private final List<Key> keys;

    private TrustedKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * @param values the configured keys; blank entries are ignored
     * @return the keys
     * @throws IllegalArgumentException naming {@code trusted_keys} and the entry that is not a valid key
     */
    static TrustedKeys parse(String[] values) {
        List<Key> keys = new ArrayList<>();
        if (values != null) {
            int index = 0;
            for (String value : values) {
                index++;
                if (value == null || value.isBlank()) {
                    continue;
                }
                try {
                    keys.add(decode(value.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trusted_keys: entry " + index + " is not a public key "
                            + "'ed25519:<base64 of its X.509 SubjectPublicKeyInfo>': " + e.getMessage(), e);
                }
            }
        }
        return new TrustedKeys(keys);
    }

    /**
     * @param text {@code ed25519:<base64>}
     * @return the key and its id
     * @throws IllegalArgumentException if it is not an Ed25519 public key in that form
     */
    static Key decode(String text) {
        if (!text.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new IllegalArgumentException("it does not begin with " + PREFIX);
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64");
        }
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            return new Key(keyId(der), key);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
    }

    /** @return the key id of an SPKI DER: the first 16 lower-case hex digits of its SHA-256 */
    static String keyId(byte[] der) {
        return Sha256.hex(Sha256.digest(der)).substring(0, 16);
    }

    /** @return true if no key is trusted: every deployment is then refused */
    boolean isEmpty() {
        return keys.isEmpty();
    }

    /** @return how many keys are trusted */
    int size() {
        return keys.size();
    }

    /** @return the ids of the trusted keys, for the log */
    List<String> ids() {
        return keys.stream().map(Key::id).toList();
    }

    /**
     * Checks an artifact's signatures: at least one must verify under a trusted key. A signature whose public key is
     * not trusted is ignored, whatever it says; the key a signature names is only used to pick the trusted key.
     *
     * @param sha256 the artifact's SHA-256, 64 lower-case hex digits, as computed from its bytes
     * @param signatures the operation's signatures ({@code public_key}, {@code signature}, {@code key_id})
     * @return the id of the trusted key that verified it
     * @throws ArtifactRejected {@code untrusted_key} if no signature is by a trusted key, {@code bad_signature} if a
     *         signature by a trusted key does not verify and none other does
     */
    String verify(String sha256, List<Signed> signatures) throws ArtifactRejected {
        byte[] message = (SIGNED_PREFIX + sha256).getBytes(StandardCharsets.UTF_8);
        boolean trustedButWrong = false;
        for (Signed signed : signatures) {
            for (Key key : keys) {
                if (!key.id().equals(signed.keyId())) {
                    continue;
                }
                if (verifies(key.publicKey(), message, signed.signature())) {
                    return key.id();
                }
                trustedButWrong = true;
            }
        }
        if (trustedButWrong) {
            throw new ArtifactRejected("bad_signature", "the signature by the trusted key does not verify for "
                    + "SHA-256 " + sha256);
        }
        throw new ArtifactRejected("untrusted_key", "no signature by a trusted key (trusted: " + ids()
                + "; signed by: " + signatures.stream().map(Signed::keyId).toList() + ")");
    }

    private static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * One signature of an artifact as the deployment gives it.
     *
     * @param keyId the id of the key it claims, derived from {@code public_key} (never from the sender's
     *        {@code key_id} alone)
     * @param signature the signature bytes
     */
    record Signed(String keyId, byte[] signature) {

        /**
         * @param json {@code {"key_id", "public_key", "signature"}}
         * @return the signature
         * @throws IllegalArgumentException if {@code public_key} or {@code signature} is missing or malformed
         */
        static Signed fromJson(Map<?, ?> json) {
            Object publicKey = json.get("public_key");
            Object signature = json.get("signature");
            if (!(publicKey instanceof String key) || !(signature instanceof String sig)) {
                throw new IllegalArgumentException("a signature needs 'public_key' and 'signature' strings");
            }
            Key decoded = decode(key.strip());
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(sig.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'signature' is not base64");
            }
            return new Signed(decoded.id(), bytes);
        }
    }

    /** SHA-256 helpers. */
    static final class Sha256 {
        private Sha256() {
        }

        static byte[] digest(byte[] bytes) {
            return BundleContent.newSha256().digest(bytes);
        }

        static String hex(byte[] digest) {
            return HexFormat.of().formatHex(digest);
        }
    }
}
