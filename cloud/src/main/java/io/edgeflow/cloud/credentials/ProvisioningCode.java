package io.edgeflow.cloud.credentials;

import java.security.SecureRandom;
import java.util.Optional;

import io.edgeflow.protocol.CodeFormat;

/**
 * A one-time provisioning code, {@code PROV-XXXX-XXXX}: eight Crockford base32 symbols drawn from
 * {@link SecureRandom}, 40 bits. Codes are compared in their canonical form, so a device may send
 * one in lower case, with or without the dashes or the {@code PROV} prefix: read by {@link CodeFormat},
 * the one reading the agent shares.
 * <p>
 * The full code exists only in the response that creates it; everything else sees
 * {@link #masked()}.
 */
public final class ProvisioningCode {
    /** Symbols in a code. */
    public static final int SYMBOLS = CodeFormat.SYMBOLS;
    /** Random bits in a code. */
    public static final int BITS = SYMBOLS * 5;

    private final String body;

    private ProvisioningCode(String body) {
        this.body = body;
    }

    /**
     * Draws a new code.
     *
     * @param random the source of randomness
     * @return a fresh code
     */
    public static ProvisioningCode generate(SecureRandom random) {
        return new ProvisioningCode(Crockford.randomSymbols(random, SYMBOLS));
    }

    /**
     * Reads a code as a person or device wrote it.
     *
     * @param text for example {@code PROV-A1B2-C3D4}, {@code prov-a1b2-c3d4}, {@code PROVA1B2C3D4} or
     *        {@code A1B2C3D4}
     * @return the code, or empty if the text cannot be a code
     */
    public static Optional<ProvisioningCode> parse(String text) {
        return CodeFormat.canonical(text).map(ProvisioningCode::new);
    }

    /** @return the canonical form, {@code PROV-XXXX-XXXX}; a secret, never to be logged */
    public String value() {
        return CodeFormat.write(body);
    }

    /** @return the last four symbols, kept beside the hash so a person can tell codes apart */
    public String hint() {
        return body.substring(4);
    }

    /** @return the code masked for lists, logs and the audit trail, {@code PROV-****-C3D4} */
    public String masked() {
        return mask(hint());
    }

    /**
     * @param hint the last four symbols of a code
     * @return the masked form {@code PROV-****-hint}
     */
    public static String mask(String hint) {
        return CodeFormat.mask(hint);
    }

    /** @return the masked form: a code is never turned into its full text by accident */
    @Override
    public String toString() {
        return masked();
    }
}
