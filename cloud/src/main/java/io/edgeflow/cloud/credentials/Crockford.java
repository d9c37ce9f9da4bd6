package io.edgeflow.cloud.credentials;

import java.security.SecureRandom;

import io.edgeflow.protocol.CodeFormat;

/**
 * Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U, so a code read
 * aloud or typed from a label cannot be mistaken. Reading a code (lower case, the look-alikes I and L
 * for 1, O for 0) is {@link CodeFormat}'s.
 */
public final class Crockford {
    /** The 32 symbols, in value order. */
    public static final String ALPHABET = CodeFormat.ALPHABET;

    private Crockford() {
    }

    /**
     * Draws random symbols, each carrying 5 bits.
     *
     * @param random the source of randomness
     * @param count how many symbols
     * @return {@code count} upper-case symbols
     */
    public static String randomSymbols(SecureRandom random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        char[] out = new char[count];
        for (int i = 0; i < count; i++) {
            // 256 is a multiple of 32: taking the low five bits of a uniform byte stays uniform.
            out[i] = ALPHABET.charAt(bytes[i] & 0x1f);
        }
        java.util.Arrays.fill(bytes, (byte) 0);
        return new String(out);
    }
}
