package io.edgeflow.provisioning.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.SecretKey;

import io.edgeflow.protocol.CodeFormat;

/**
 * A one-time provisioning code as the product documentation writes it, {@code PROV-A1B2-C3D4}: eight
 * Crockford base32 symbols. Read as the cloud reads it (docs/protocol.md): case-insensitively, with or
 * without the dashes and the {@code PROV} prefix, Crockford's look-alikes I/L and O counting as 1 and 0: by
 * {@link CodeFormat}, the reading the cloud shares.
 * <p>
 * A secret until it is used: {@link #toString()} and {@link #masked()} show only the last four symbols.
 */
final class ProvisioningCode {
    /** What a keyed fingerprint begins with. */
    static final String KEYED = "h1:";

    private final String body;

    private ProvisioningCode(String body) {
        this.body = body;
    }

    /**
     * @param text for example {@code PROV-A1B2-C3D4}, {@code prov-a1b2-c3d4}, {@code PROVA1B2C3D4} or {@code A1B2C3D4}
     * @return the code, or empty if the text cannot be one
     */
    static Optional<ProvisioningCode> parse(String text) {
        return CodeFormat.canonical(text).map(ProvisioningCode::new);
    }

    /** @return the canonical form, {@code PROV-XXXX-XXXX}; a secret, sent to the cloud and nowhere else */
    String value() {
        return CodeFormat.write(body);
    }

    /** @return {@code PROV-****-C3D4}, for logs and messages */
    String masked() {
        return CodeFormat.mask(body.substring(4));
    }

    /**
     * A keyed fingerprint of the canonical code, to remember which codes were used without keeping them: a code
     * has only 40 bits (20 once a log showed its last four symbols), so an unkeyed hash of it is reversed by
     * trying every code; keyed with this installation's key, the fingerprint alone gives nothing to try against.
     *
     * @param key this installation's fingerprint key
     * @return {@code h1:} and 64 hex digits of HMAC-SHA256
     */
    String fingerprint(SecretKey key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update("edgeflow-provisioning-code\0".getBytes(StandardCharsets.UTF_8));
            return KEYED + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** @return the unkeyed SHA-256 fingerprint of version 0.1, only to recognise codes it recorded as used */
    String unkeyedFingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("edgeflow-provisioning-code\0".getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(body.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * Masks whatever text was given as a code, even a malformed one, for messages.
     *
     * @param text the text, may be null
     * @return the masked form: the last four characters at most
     */
    static String maskText(String text) {
        if (text == null) {
            return "(none)";
        }
        Optional<ProvisioningCode> code = parse(text);
        if (code.isPresent()) {
            return code.get().masked();
        }
        String t = text.strip();
        // as much as a masked code shows (4 of its 8 symbols), and only of text long enough to be one
        return t.length() < 12 ? "****" : "****" + t.substring(t.length() - 4);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProvisioningCode c && c.body.equals(body);
    }

    @Override
    public int hashCode() {
        return body.hashCode();
    }

    @Override
    public String toString() {
        return masked();
    }
}
