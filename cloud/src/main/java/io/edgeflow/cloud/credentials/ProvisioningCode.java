package io.edgeflow.cloud.credentials;

import java.security.SecureRandom;
import java.util.Optional;

/**
 * A one-time provisioning code, {@code PROV-XXXX-XXXX}: eight Crockford base32 symbols drawn from
 * {@link SecureRandom}, 40 bits. Codes are compared in their canonical form, so a device may send
 * one in lower case, with or without the dashes or the {@code PROV} prefix.
 * <p>
 * The full code exists only in the response that creates it; everything else sees
 * {@link #masked()}.
 */
public final class ProvisioningCode {
    /** Symbols in a code. */
    public static final int SYMBOLS = 8;
    /** Random bits in a code. */
    public static final int BITS = SYMBOLS * 5;
    private static final String PREFIX = "PROV";

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
        if (text == null || text.length() > 40) {
            return Optional.empty();
        }
        String t = text.trim();
        boolean prefixed = t.length() > 5 && t.regionMatches(true, 0, PREFIX + "-", 0, 5);
        if (prefixed) {
            t = t.substring(5); // "PROV-" stated: exactly eight symbols must follow
        }
        StringBuilder compact = new StringBuilder(16);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c != '-' && c != ' ') {
                compact.append(Character.toUpperCase(c));
            }
        }
        String s = compact.toString();
        if (!prefixed && s.length() == PREFIX.length() + SYMBOLS && s.startsWith(PREFIX)) {
            s = s.substring(PREFIX.length());
        }
        if (s.length() != SYMBOLS) {
            return Optional.empty();
        }
        char[] canonical = new char[SYMBOLS];
        for (int i = 0; i < SYMBOLS; i++) {
            char c = Crockford.canonical(s.charAt(i));
            if (c == 0) {
                return Optional.empty();
            }
            canonical[i] = c;
        }
        return Optional.of(new ProvisioningCode(new String(canonical)));
    }

    /** @return the canonical form, {@code PROV-XXXX-XXXX}; a secret, never to be logged */
    public String value() {
        return PREFIX + "-" + body.substring(0, 4) + "-" + body.substring(4);
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
        return PREFIX + "-****-" + hint;
    }

    /** @return the masked form: a code is never turned into its full text by accident */
    @Override
    public String toString() {
        return masked();
    }
}
